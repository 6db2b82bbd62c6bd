"""Industry chain (产业链): chain graph from the brain template, enterprise supply graph,
chain analysis (weak links, concentration, single points of failure) and the taxonomy coder
(``industrybrain chain code``), offered as the tool component ``chain.taxonomy-coder``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from industrybrain.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer

    from industrybrain.kit.components import ComponentSpec


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.chain.cli import chain_cli

    cli.add_typer(chain_cli, name="chain")


@hookimpl
def register_components() -> list[ComponentSpec]:
    from industrybrain.kit.components import ComponentSpec

    return [
        ComponentSpec(
            kind="tool",
            id="chain.taxonomy-coder",
            version="0.1.0",
            title_zh="分类编码器",
            title_en="Taxonomy coder",
            description_zh="为经营范围等文本自动赋予任意代码表（默认 GB/T 4754-2017 国民经济行业"
            "分类）的前 k 个代码及置信度；无标注数据即可使用，提供标注样本后更准。",
            description_en="Assigns the top-k codes of any code list (GB/T 4754-2017 by "
            "default) with a confidence to free text such as business scopes; works without "
            "labels and improves with labelled examples.",
            input_schema={
                "taxonomy": "gbt4754 or CSV code,name[,description,parent,keywords]",
                "input": "CSV with an id column and a text column",
                "train": "optional CSV: the text column plus code",
            },
            output_schema={"columns": ["id", "code", "name", "score", "rank"]},
        )
    ]
