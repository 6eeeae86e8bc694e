"""formcheck's tests. A package, so that pytest puts the repository root on sys.path and test modules
import their shared helpers as `tests.helpers`, however pytest is started (`pytest` or `python -m pytest`)."""
