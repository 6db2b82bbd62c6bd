"""Demo step (order 20): register the demo cluster's sources (files described in
docs/demo-data.md) for the demo operator, ingest the files and run the pipeline."""

from __future__ import annotations

from typing import Any

from industrybrain.kit.demo import DemoContext


def _m(column: str, field: str, transform: str = "", **extra: Any) -> dict[str, Any]:
    return {"column": column, "field": field, "transform": transform, **extra}


# (file, code, name, provider, classification, grade, entity, mapping, connector options)
DEMO_SOURCES: list[
    tuple[str, str, str, str, str, int, str, list[dict[str, Any]], dict[str, Any]]
] = [
    (
        "registry_scjg.csv",
        "registry_scjg",
        "市场主体登记",
        "温岭市市场监督管理局",
        "公共数据",
        2,
        "enterprise",
        [
            _m("record_id", "record_id"),
            _m("统一社会信用代码", "uscc", required=True),
            _m("企业名称", "name", required=True),
            _m("曾用名", "former_name"),
            _m("法定代表人", "legal_rep"),
            _m("企业类型", "company_type"),
            _m("注册资本(万元)", "registered_capital", "amount", unit="万元"),
            _m("成立日期", "founded_on"),
            _m("登记状态", "status"),
            _m("国民经济行业代码", "industry_class"),
            _m("住所", "address"),
            _m("经营范围", "business_scope", "trim"),
            _m("联系电话", "phone"),
        ],
        {},
    ),
    (
        "tax_monthly.csv",
        "tax_monthly",
        "月度开票销售额",
        "国家税务总局温岭市税务局",
        "公共数据",
        3,
        "monthly_indicator",
        [
            _m("record_id", "record_id"),
            _m("纳税人识别号", "uscc"),
            _m("纳税人名称", "name"),
            _m("所属期", "month", required=True),
            _m(
                "开票销售额(万元)",
                "indicator:sales",
                "amount",
                unit="万元",
                label="元",
                required=True,
            ),
        ],
        {},
    ),
    (
        "electricity_monthly.csv",
        "electricity_monthly",
        "月度用电量",
        "国网温岭市供电公司",
        "公共数据",
        3,
        "monthly_indicator",
        [
            _m("record_id", "record_id"),
            _m("户号", "account_no"),
            _m("户名", "name"),
            _m("统一社会信用代码", "uscc"),
            _m("用电地址", "address"),
            _m("抄表日期", "read_on", required=True),
            _m("电量(kWh)", "indicator:electricity_kwh", "number", label="kWh", required=True),
            _m("电费(元)", "indicator:electricity_fee", "amount", label="元"),
        ],
        {},
    ),
    (
        "social_insurance.jsonl",
        "social_insurance",
        "参保人数",
        "温岭市人力资源和社会保障局",
        "个人信息",
        3,
        "monthly_indicator",
        [
            _m("record_id", "record_id"),
            _m("dwbh", "account_no"),
            _m("dwmc", "name"),
            _m("tyshxydm", "uscc"),
            _m("ssny", "month", required=True),
            _m("cbrs", "indicator:insured", "integer", label="人", required=True),
        ],
        {},
    ),
    (
        "patents.csv",
        "patents",
        "专利",
        "浙江省知识产权局",
        "公共数据",
        1,
        "patent",
        [
            _m("record_id", "record_id"),
            _m("申请号", "application_no", required=True),
            _m("专利名称", "title"),
            _m("专利类型", "patent_type"),
            _m("申请日", "filed_on"),
            _m("授权公告日", "granted_on"),
            _m("申请人", "applicant_name"),
            _m("法律状态", "legal_status"),
        ],
        {},
    ),
    (
        "customs_exports.csv",
        "customs_exports",
        "出口报关",
        "台州海关",
        "公共数据",
        2,
        "trade_record",
        [
            _m("record_id", "record_id"),
            _m("海关编码", "customs_code"),
            _m("社会信用代码", "uscc"),
            _m("经营单位名称", "name"),
            _m("年月", "month", required=True),
            _m("商品编码", "hs_code"),
            _m("商品名称", "goods_name"),
            _m("贸易国(地区)", "country"),
            _m("数量", "quantity"),
            _m("计量单位", "quantity_unit"),
            _m("美元金额", "amount_usd"),
        ],
        {},
    ),
    (
        "products.csv",
        "products",
        "产品登记",
        "企业自报",
        "企业数据",
        1,
        "product",
        [
            _m("record_id", "record_id"),
            _m("商品条码", "gtin"),
            _m("产品名称", "name"),
            _m("规格型号", "model"),
            _m("生产企业", "maker_name"),
            _m("统一社会信用代码", "uscc"),
            _m("HS编码", "hs_code"),
            _m("参数", "parameters", "trim"),
        ],
        {},
    ),
    (
        "supply_relations.csv",
        "supply_relations",
        "供应关系(电子发票)",
        "国家税务总局温岭市税务局",
        "企业数据",
        3,
        "relation",
        [
            _m("record_id", "record_id"),
            _m("销方名称", "seller_name"),
            _m("销方税号", "seller_uscc"),
            _m("购方名称", "buyer_name"),
            _m("购方税号", "buyer_uscc"),
            _m("年度", "year", "year", required=True),
            _m("开票金额(万元)", "amount", "amount", unit="万元"),
        ],
        {},
    ),
    (
        "purchase_demand.csv",
        "purchase_demand",
        "原材料采购需求",
        "企业自报",
        "企业数据",
        2,
        "purchase_demand",
        [
            _m("record_id", "record_id"),
            _m("企业名称", "name"),
            _m("统一社会信用代码", "uscc"),
            _m("需求月份", "month", required=True),
            _m("原材料编码", "material_code"),
            _m("原材料名称", "material_name"),
            _m("需求数量", "quantity"),
            _m("单位", "quantity_unit"),
            _m("参考单价(元)", "unit_price", "amount"),
        ],
        {},
    ),
]


def register_demo_sources(session: Any, organization_id: int, folder: Any) -> list[Any]:
    """Register (once) every demo source whose file exists and ingest it; returns the sources."""
    from industrybrain.modules.warehouse import service
    from industrybrain.modules.warehouse.repository import source_by_code

    sources = []
    for file, code, name, provider, klass, grade, entity, mapping, options in DEMO_SOURCES:
        path = folder / file
        if not path.exists():
            continue
        source = source_by_code(session, code)
        if source is None:
            source = service.create_source(
                session,
                organization_id=organization_id,
                code=code,
                name=name,
                provider=provider,
                classification=klass,
                grade=grade,
                entity=entity,
                mapping=mapping,
                schedule="0 2 5 * *",
                connector_options=options,
            )
        service.ingest(session, source, [path])
        sources.append(source)
    return sources


def run(ctx: DemoContext) -> None:
    from industrybrain.kit.tenancy import unscoped
    from industrybrain.modules.identity.demo import demo_operator_id
    from industrybrain.modules.warehouse import service
    from industrybrain.runtime import get_database

    db = get_database()
    folder = ctx.data_dir / "demo"
    with unscoped("demo build: the warehouse step registers the demo operator's sources"):
        with db.session_scope() as session:
            operator = int(ctx.extra.get("operator_organization_id") or demo_operator_id(session))
            ctx.progress("registering and ingesting demo sources")
            register_demo_sources(session, operator, folder)
        ctx.progress("running the warehouse pipeline")
        run = service.run_warehouse(
            db,
            organization_id=operator,
            progress=lambda step, _f: ctx.progress(f"warehouse: {step}"),
        )
        with db.session_scope() as session:
            detail = service.run_detail(session, run.id) or {"sources": []}
    for item in detail["sources"]:
        ctx.report(
            f"warehouse {item['source_code']}: {item['rows_in']} in = {item['rows_loaded']} loaded "
            f"+ {item['rows_quarantined']} quarantined"
        )
    ctx.report(f"warehouse run {run.id} published ({len(run.hashes)} tables)")
