"""A target that imports in the harness's own process but not in its case process (as a
module needing a library only one of the two environments has would)."""
import multiprocessing

if multiprocessing.current_process().name == "conformance-work":
    raise ImportError("no module named 'only_in_the_parent' (sample: fails in the case "
                      "process only)")

from torch import *  # noqa: E402,F401,F403 - the sample's whole namespace
