"""The plugin manager. Built-in modules and third-party plugins register through the same hooks."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Any

import pluggy

from industrybrain import hookspecs
from industrybrain.config import get_settings

ENTRY_POINT_GROUP = "industrybrain.plugins"


def builtin_module_names() -> list[str]:
    import industrybrain.modules as modules_pkg

    return sorted(
        f"industrybrain.modules.{info.name}"
        for info in pkgutil.iter_modules(modules_pkg.__path__)
        if info.ispkg and not info.name.startswith("_")
    )


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    disabled = set(get_settings().disabled_plugins)
    for name in builtin_module_names():
        short = name.rsplit(".", 1)[-1]
        if short in disabled:
            continue
        pm.register(importlib.import_module(name), name=short)
    for name in disabled:
        pm.set_blocked(name)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    pm.hook.register_models()
    return pm


def reset_plugin_manager() -> None:
    get_plugin_manager.cache_clear()


def collect(hook_name: str, **kwargs: Any) -> list[Any]:
    """Call a list-returning hook on every plugin and concatenate the results."""
    hook = getattr(get_plugin_manager().hook, hook_name)
    items: list[Any] = []
    for result in hook(**kwargs):
        if result:
            items.extend(result)
    return items


def plugin_names() -> list[tuple[str, str]]:
    """(name, module or distribution) of every registered plugin."""
    pm = get_plugin_manager()
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    rows = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = dists.get(id(plugin))
        origin = f"{dist.project_name} {dist.version}" if dist else getattr(plugin, "__name__", "?")
        rows.append((name, origin))
    return sorted(rows)
