"""Security groups: groups and their rules (groups, rules), the rule set each member VM's host enforces
(rule_sets), pushing it to hosts (enforcement) and which VMs a deploy puts in which groups (membership)."""
