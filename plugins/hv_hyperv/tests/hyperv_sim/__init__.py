"""A WinRM simulator of Hyper-V hosts for the plugin's tests: real WS-Man over HTTP(S) for pywinrm,
a fake Hyper-V estate (`World`) behind it, and the cmdlets the driver sends, logged as received."""

from hyperv_sim import image_store  # noqa: F401  (registers the cmdlets that reach real SMB shares)
from hyperv_sim.world import CmdletError, SimHost, World
from hyperv_sim.wsman import WinRMServer

__all__ = ["CmdletError", "SimHost", "WinRMServer", "World"]
