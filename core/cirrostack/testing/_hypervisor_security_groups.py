"""Conformance checks of the security group methods (hookspecs/hypervisor_security_groups.py): a driver
that declares `security_groups` applies whole rule sets idempotently, keeps a newer `seq` against a stale
one and removes a VM's rules idempotently; one that does not declare it is refused by the core's guard and
by its own methods."""

from __future__ import annotations

import pytest

from cirrostack.errors import VMNotFound
from cirrostack.hookspecs.hypervisor import VMRef
from cirrostack.hookspecs.hypervisor_security_groups import RuleProtocol, SecurityRule, SecurityRuleSet
from cirrostack.testing._hypervisor_calls import call_contract, expect_error
from cirrostack.testing._hypervisor_capabilities import CapabilityChecks


def _rule_set(vm: VMRef, seq: int, port: int) -> SecurityRuleSet:
    return SecurityRuleSet(
        vm_uuid=vm.uuid, instance_name=vm.instance_name, seq=seq,
        ingress=(SecurityRule(RuleProtocol.TCP, ("10.0.0.0/8",), port, port),
                 SecurityRule(RuleProtocol.ICMP, ("0.0.0.0/0",), icmp_type=8, icmp_code=-1)),
        egress=(SecurityRule(RuleProtocol.UDP, ("192.0.2.53/32",), 53, 53),))


class SecurityGroupChecks(CapabilityChecks):
    def test_security_rules_are_applied_by_seq_and_removed_when_declared_and_refused_otherwise(self) -> None:
        _spec, vm = self.started()
        first, newer = _rule_set(vm, 1, 22), _rule_set(vm, 2, 443)
        if not self.declares("security_groups"):
            self.assert_refused("security_groups", "apply_security_rules", self.host, first)
            self.assert_refused("security_groups", "remove_security_rules", self.host, vm.instance_name)
            return
        for rules, what in ((first, "the first rule set"), (first, "the same rule set again"),
                            (newer, "a newer rule set")):
            if call_contract(self.driver, "apply_security_rules", self.host, rules) is not True:
                pytest.fail(f"apply_security_rules: {what} (seq {rules.seq}) was not put in force; the contract "
                            "returns True for it", pytrace=False)
        if call_contract(self.driver, "apply_security_rules", self.host, first) is not False:
            pytest.fail(f"apply_security_rules: a stale rule set (seq 1) after seq 2 for {vm.instance_name} did not "
                        "return False; the contract never lets an older set replace a newer one", pytrace=False)
        call_contract(self.driver, "remove_security_rules", self.host, vm.instance_name)
        call_contract(self.driver, "remove_security_rules", self.host, vm.instance_name)
        unknown = VMRef(vm.uuid + "-unknown", vm.instance_name + "-unknown")
        expect_error(VMNotFound, "for a VM the host does not know", self.driver, "apply_security_rules", self.host,
                     _rule_set(unknown, 1, 22))
