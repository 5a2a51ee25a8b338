"""CloudStack's guest OS catalogue: categories and the OS descriptions listOsTypes shows.

The descriptions are CloudStack's own spelling (tools look OS types up by these strings, e.g.
"CentOS 5.6 (64-bit)" or "Other Linux (64-bit)"), irregular spacing included. Order within a
category is the order CloudStack added them. Entries are only ever appended: uuids derive from
the description, so an entry keeps its id across installs.
"""

from __future__ import annotations


def _versions(prefix: str, versions: str) -> list[str]:
    """"<prefix> <version> (32-bit)" and "... (64-bit)" for each version in the space-separated list."""
    return [f"{prefix} {version} ({bits}-bit)" for version in versions.split() for bits in (32, 64)]


CATEGORIES: dict[str, list[str]] = {
    "CentOS": [
        "CentOS 4.5 (32-bit)", "CentOS 4.6 (32-bit)", "CentOS 4.7 (32-bit)", "CentOS 4.8 (32-bit)",
        *_versions("CentOS", "5.0 5.1 5.2 5.3 5.4 5.5 5.6 6.0 5.7 5.8 5.9 5.10 6.1 6.2 6.3 6.4 6.5"),
        "Other CentOS (32-bit)", "Other CentOS (64-bit)",
    ],
    "Debian": [
        "Debian GNU/Linux 5.0 (32-bit)", "Debian GNU/Linux 5(64-bit)", "Debian GNU/Linux 4(32-bit)",
        "Debian GNU/Linux 4(64-bit)", "Debian GNU/Linux 6(32-bit)", "Debian GNU/Linux 6(64-bit)",
        "Debian GNU/Linux 7(32-bit)", "Debian GNU/Linux 7(64-bit)",
    ],
    "Oracle": _versions("Oracle Enterprise Linux", "5.0 5.1 5.2 5.3 5.4 5.5 5.6 6.0 5.7 5.8 5.9 5.10 6.1 6.2 6.3 6.4"),
    "RedHat": [
        *(f"Red Hat Enterprise Linux {v} (32-bit)" for v in ("4.5", "4.6", "4.7", "4.8")),
        *_versions("Red Hat Enterprise Linux", "5.0 5.1 5.2 5.3 5.4"),
        "Red Hat Enterprise Linux 3(32-bit)", "Red Hat Enterprise Linux 3(64-bit)",
        "Red Hat Enterprise Linux 4(64-bit)",
        *_versions("Red Hat Enterprise Linux", "5.5"),
        "Fedora 13", "Fedora 12", "Fedora 11", "Fedora 10", "Fedora 9", "Fedora 8",
        "Red Hat Enterprise Linux 2",
        *_versions("Red Hat Enterprise Linux", "6.0 5.6"),
        "Red Hat Enterprise Linux 6(32-bit)", "Red Hat Enterprise Linux 6(64-bit)",
        *_versions("Red Hat Enterprise Linux", "5.7 5.8 5.9 5.10 6.1 6.2 6.3 6.4"),
        "Fedora 14", "Fedora 15", "Fedora 16", "Fedora 17", "Fedora 18",
    ],
    "SUSE": [
        "SUSE Linux Enterprise Server 9 SP4 (32-bit)",
        "SUSE Linux Enterprise Server 10 SP1 (32-bit)", "SUSE Linux Enterprise Server 10 SP1 (64-bit)",
        "SUSE Linux Enterprise Server 10 SP2 (32-bit)", "SUSE Linux Enterprise Server 10 SP2 (64-bit)",
        "SUSE Linux Enterprise Server 10 SP3 (64-bit)",
        "SUSE Linux Enterprise Server 11 (32-bit)", "SUSE Linux Enterprise Server 11 (64-bit)",
        "SUSE Linux Enterprise 8(32-bit)", "SUSE Linux Enterprise 8(64-bit)",
        "SUSE Linux Enterprise 9(32-bit)", "SUSE Linux Enterprise 9(64-bit)",
        "SUSE Linux Enterprise 10(32-bit)", "SUSE Linux Enterprise 10(64-bit)",
        "SUSE Linux Enterprise Server 10 SP3 (32-bit)", "SUSE Linux Enterprise Server 10 SP4 (64-bit)",
        "SUSE Linux Enterprise Server 10 SP4 (32-bit)", "SUSE Linux Enterprise Server 11 SP1 (64-bit)",
        "SUSE Linux Enterprise Server 11 SP1 (32-bit)",
        "Other SUSE Linux(32-bit)", "Other SUSE Linux(64-bit)",
        "SUSE Linux Enterprise Server 11 SP2 (64-bit)", "SUSE Linux Enterprise Server 11 SP2 (32-bit)",
        "SUSE Linux Enterprise Server 11 SP3 (64-bit)", "SUSE Linux Enterprise Server 11 SP3 (32-bit)",
    ],
    "Windows": [
        "Windows 7 (32-bit)", "Windows 7 (64-bit)",
        "Windows Server 2003 Enterprise Edition(32-bit)", "Windows Server 2003 Enterprise Edition(64-bit)",
        "Windows Server 2008 (32-bit)", "Windows Server 2008 (64-bit)", "Windows Server 2008 R2 (64-bit)",
        "Windows 2000 Server SP4 (32-bit)", "Windows Vista (32-bit)", "Windows XP SP2 (32-bit)",
        "Windows XP SP3 (32-bit)", "Windows 2000 Server", "Windows 98", "Windows 95", "Windows NT 4",
        "Windows 3.1",
        "Windows Server 2003 DataCenter Edition(32-bit)", "Windows Server 2003 DataCenter Edition(64-bit)",
        "Windows Server 2003 Standard Edition(32-bit)", "Windows Server 2003 Standard Edition(64-bit)",
        "Windows Server 2003 Web Edition", "Microsoft Small Bussiness Server 2003", "Windows XP (32-bit)",
        "Windows XP (64-bit)", "Windows 2000 Advanced Server", "Windows Vista (64-bit)", "DOS",
        "Windows 2000 Professional", "Windows PV",
        "Windows 8 (32-bit)", "Windows 8 (64-bit)", "Windows Server 8 (64-bit)", "Windows Server 2012 (64-bit)",
        "Windows Server 2012 R2 (64-bit)", "Windows 8.1 (32-bit)", "Windows 8.1 (64-bit)",
    ],
    "Other": [
        "Other (32-bit)", "Open Enterprise Server", "Asianux 3(32-bit)", "Asianux 3(64-bit)",
        "Other 2.6x Linux (32-bit)", "Other 2.6x Linux (64-bit)", "Other Linux (32-bit)", "Other Linux (64-bit)",
        "Other (64-bit)", "OS/2", "None", "Other PV (32-bit)", "Other PV (64-bit)",
    ],
    "Novel": ["Novell Netware 6.x", "Novell Netware 5.1"],
    "Unix": [
        "Sun Solaris 10(32-bit)", "Sun Solaris 10(64-bit)", "Sun Solaris 9(Experimental)",
        "Sun Solaris 8(Experimental)", "FreeBSD (32-bit)", "FreeBSD (64-bit)", "SCO OpenServer 5",
        "SCO UnixWare 7", "Sun Solaris 11 (64-bit)", "Sun Solaris 11 (32-bit)",
        "Apple Mac OS X 10.6 (32-bit)", "Apple Mac OS X 10.6 (64-bit)", "Apple Mac OS X 10.7 (32-bit)",
        "Apple Mac OS X 10.7 (64-bit)",
    ],
    "Ubuntu": [
        "Other Ubuntu (32-bit)", "Other Ubuntu (64-bit)",
        *(f"Ubuntu {v} (32-bit)" for v in ("10.04", "9.10", "9.04", "8.10", "8.04")),
        *(f"Ubuntu {v} (64-bit)" for v in ("10.04", "9.10", "9.04", "8.10", "8.04")),
        *_versions("Ubuntu", "10.10 11.04 11.10 12.04 12.10 13.04 13.10"),
    ],
    "None": [],
}
