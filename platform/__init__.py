"""The project package, which shares its name with the standard library's ``platform`` module.

Django (through ``uuid``), pytest, kombu and others call ``platform.system()`` and friends. Whoever imports
``platform`` with the project root first on ``sys.path`` gets this package, so it carries the standard module's
whole API: the standard ``platform.py`` is loaded from the interpreter's stdlib directory under a private name
and its names are copied here. Nothing else may be imported at this point (celery, Django): this module is
imported in the middle of their own imports. The Celery app is reached as ``platform.celery.app``
(``python -m celery -A platform`` finds it) and is loaded for Django processes by ``AccountsConfig.ready``.
"""

import importlib.util as _importlib_util
import os as _os
import sys as _sys
import sysconfig as _sysconfig


def _load_standard_platform():
    name = "_stdlib_platform"
    if name in _sys.modules:
        return _sys.modules[name]
    path = _os.path.join(_sysconfig.get_paths()["stdlib"], "platform.py")
    spec = _importlib_util.spec_from_file_location(name, path)
    module = _importlib_util.module_from_spec(spec)
    _sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_standard_platform = _load_standard_platform()
for _name, _value in vars(_standard_platform).items():
    if not (_name.startswith("__") and _name.endswith("__")):
        globals()[_name] = _value
del _name, _value
