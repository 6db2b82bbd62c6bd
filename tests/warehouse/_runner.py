"""Subprocess entry for crash tests: ingest the demo files and run the pipeline, using the
fallback connectors when the real ones are missing. ``python -m tests.warehouse._runner DIR``"""

from __future__ import annotations

import sys
from pathlib import Path

from industrybrain.config import get_settings
from industrybrain.kit.tenancy import unscoped
from industrybrain.migrations import upgrade_locked
from industrybrain.modules.warehouse import service
from industrybrain.modules.warehouse.demo import register_demo_sources
from industrybrain.runtime import get_database


def _install_fallback() -> None:
    try:
        from industrybrain.warehouse.connectors import land  # noqa: F401
    except Exception:  # missing or half-written connectors: use the test fallback
        import importlib

        sys.path.insert(0, str(Path(__file__).parent))
        import _fallback_connectors as fallback

        module = importlib.import_module("industrybrain.warehouse.connectors")
        for name in ("land", "ConnectorOptions", "ConnectorError", "LandedFile"):
            setattr(module, name, getattr(fallback, name))


def main(folder: Path, engine: str = "duckdb") -> None:
    _install_fallback()
    settings = get_settings()
    upgrade_locked(settings.sqlalchemy_url, settings.data_dir)
    db = get_database()
    with unscoped("crash test runner"):
        with db.session_scope() as session:
            from industrybrain.modules.identity.models import Organization

            org = session.query(Organization).first()
            if org is None:
                org = Organization(type="operator", name_zh="测试运营公司", name_en="Test operator")
                session.add(org)
                session.flush()
            register_demo_sources(session, org.id, folder)
            org_id = org.id
        run = service.run_warehouse(db, organization_id=org_id, engine=engine)
    print("RUN", run.id, run.status)


if __name__ == "__main__":
    main(Path(sys.argv[1]), *(sys.argv[2:3]))
