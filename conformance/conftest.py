"""Makes ``pytest conformance -n auto`` a conformance run in a checkout: the hooks live in
the plugin :mod:`conformance.pytest_plugin`; this file registers it, unless pytest already
loaded it (the ``pytest11`` entry point of an install, or ``-p conformance``)."""
import conformance.pytest_plugin as plugin


def pytest_addoption(parser, pluginmanager) -> None:
    # pytest_addoption is historic: the plugin registered here still adds its options
    if not pluginmanager.is_registered(plugin) and pluginmanager.get_plugin("conformance") \
            is None and not pluginmanager.is_blocked("conformance"):
        pluginmanager.register(plugin, "conformance")
