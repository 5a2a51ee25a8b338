"""cirrostack plugin: Hyper-V hosts managed over WinRM (PowerShell Hyper-V cmdlets).

The driver is `cirrostack_hv_hyperv.driver.HypervDriver`; its support matrix is
`cirrostack_hv_hyperv.support_matrix`.
"""
