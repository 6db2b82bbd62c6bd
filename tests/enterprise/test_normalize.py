from industrybrain.modules.enterprise.normalize import (
    normalize_enterprise_name,
    normalize_person_name,
    normalize_phone,
    parse_address,
)


def test_name_variants_share_their_core() -> None:
    variants = [
        "温岭市天亚水泵配件有限公司",
        "天亚水泵配件有限责任公司",
        "天亚水泵配件（浙江）有限公司",
        "浙江天亚水泵配件有限公司 ",
        "台州市温岭市天亚水泵配件有限公司",
    ]
    cores = {normalize_enterprise_name(name).core for name in variants}
    assert cores == {"天亚水泵配件"}
    assert {normalize_enterprise_name(name).legal_form for name in variants} == {"有限公司"}


def test_name_parts() -> None:
    name = normalize_enterprise_name("台州天亚机电设备股份有限公司杭州分公司")
    assert name.core == "天亚机电设备"
    assert name.brand == "天亚"
    assert name.legal_form == "股份有限公司"
    assert name.regions == ("台州",)
    assert name.branch == "杭州分公司"
    sole = normalize_enterprise_name("温岭市泽国镇豪凯水泵厂")
    assert sole.regions == ("温岭市", "泽国镇")
    assert sole.core == "豪凯水泵厂"
    assert sole.brand == "豪凯"
    group = normalize_enterprise_name("利欧集团股份有限公司")
    assert group.legal_form == "集团股份有限公司"
    assert group.core == "利欧"
    # 永福 is also a county's short name; stripping it would leave no brand.
    assert normalize_enterprise_name("温岭市永福机电有限公司").core == "永福机电"
    bracket = normalize_enterprise_name("乐盛泵业(温岭)有限公司")
    assert bracket.full == "乐盛泵业(温岭)有限公司"
    assert bracket.core == "乐盛泵业"
    assert bracket.regions == ("温岭",)


def test_address_levels_filled_from_the_town() -> None:
    full = parse_address("浙江省台州市温岭市横峰街道兴业大道203号")
    assert (full.province, full.city, full.county, full.town) == (
        "浙江省",
        "台州市",
        "温岭市",
        "横峰街道",
    )
    assert full.detail == "兴业大道203号"
    short = parse_address("温岭市泽国镇兴业路419号")
    assert (short.province, short.city, short.county, short.town) == (
        "浙江省",
        "台州市",
        "温岭市",
        "泽国镇",
    )
    assert parse_address("横峰街道兴业大道203号").county == "温岭市"
    assert parse_address("浙江省温岭市横峰街道兴业大道203号").full == full.full


def test_phones() -> None:
    assert normalize_phone("０５７６-８５６２１５８２") == "0576-85621582"
    assert normalize_phone("057685621582") == "0576-85621582"
    assert normalize_phone("+86 138 6481 2669") == "13864812669"
    assert normalize_phone("0576-85621582转801") == "0576-85621582"
    assert normalize_phone("021 12345678") == "021-12345678"
    assert normalize_phone("12") == ""


def test_legal_representatives() -> None:
    assert normalize_person_name(" 郑 杰彬 ") == "郑杰彬"
    assert normalize_person_name("法定代表人：郑杰彬") == "郑杰彬"
    assert normalize_person_name("阿依•古丽（法人）") == "阿依·古丽"
    assert normalize_person_name("John SMITH") == "johnsmith"
