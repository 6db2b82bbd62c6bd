"""The FastAPI application: composition root of settings, stores, plugins and the web shell."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import ORJSONResponse

from industrybrain import __version__
from industrybrain.config import get_settings
from industrybrain.plugins import collect, get_plugin_manager
from industrybrain.runtime import get_database


def create_app() -> FastAPI:
    settings = get_settings()
    settings.check_production()
    pm = get_plugin_manager()
    database = get_database()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.mode != "production":
            # Embedded mode keeps itself migrated; production runs `industrybrain db upgrade`.
            from industrybrain.migrations import upgrade_locked

            upgrade_locked(settings.sqlalchemy_url, settings.data_dir)
        async with AsyncExitStack() as stack:
            for factory in collect("register_lifespan"):
                await stack.enter_async_context(factory(app))
            # Start-up objects (models, templates, plugins) live as long as the process: move
            # them out of the collector's way so that its pauses stay short under load.
            gc.collect()
            gc.freeze()
            yield
        database.dispose()

    app = FastAPI(
        title="Industry Brain 产业大脑",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        default_response_class=ORJSONResponse,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.plugin_manager = pm

    @app.get("/health", tags=["system"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    for router in collect("register_api_routers"):
        app.include_router(router, prefix="/api")

    from industrybrain.web import mount_web

    mount_web(app)
    return app
