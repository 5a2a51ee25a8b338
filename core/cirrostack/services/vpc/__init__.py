"""VPCs: offerings (offerings.py), VPCs and their public addresses (vpcs.py, addresses.py), and the checks a
tier passes (tiers.py). Importing the package registers `Uuid("Vpc")` and `Uuid("VpcOffering")`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from cirrostack.db.models.vpc import Vpc, VpcOffering
from cirrostack.services import scope
from cirrostack.services.context import Caller


def _everyone(statement: Select[Any], _caller: Caller) -> Select[Any]:
    return statement


scope.register_entity("Vpc", Vpc, scope.account_owned(Vpc.account_id))
scope.register_entity("VpcOffering", VpcOffering, _everyone)
