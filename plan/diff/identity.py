"""Which base resource each head resource was: logical identities, and the aliases the engine follows."""

from __future__ import annotations

from typing import Any

Identity = tuple[tuple[str, str], ...]
"""A resource's logical identity: (type, name) of each ancestor component and of itself. It is what a
URN encodes, without the stack and project, and without depending on how an engine (or its mock)
spells the parent chain."""


def identities(plan: dict[str, Any]) -> dict[Identity, dict[str, Any]]:
    by_label = {r["label"]: r for r in plan["resources"]}
    memo: dict[str, Identity] = {}

    def identity(resource: dict[str, Any]) -> Identity:
        label = resource["label"]
        if label not in memo:
            parent = by_label.get(resource.get("parent") or "")
            memo[label] = (*(identity(parent) if parent else ()), (resource["type"], resource["name"]))
        return memo[label]

    return {identity(r): r for r in plan["resources"]}


def candidates(head: dict[Identity, dict[str, Any]]) -> dict[Identity, list[Identity]]:
    """Head identity → every identity it may have had: its own, then what its and its parents' aliases give.

    As the engine does it: each alias (name and type default to the resource's) is tried under the
    parent and under each of the parent's aliases, and under a parent's alias a child named after its
    parent swaps the parent's name for the alias's (``api-cron`` under ``api`` → ``old-cron``).
    """
    memo: dict[Identity, list[Identity]] = {}

    def of(identity: Identity) -> list[Identity]:
        if identity in memo:
            return memo[identity]
        resource = head[identity]
        parent = identity[:-1]
        parents = of(parent) if parent in head else [parent]
        found = [identity]
        for spec in [{}, *(resource.get("aliases") or [])]:
            if spec.get("urn"):
                continue  # whole-URN aliases are not used by this program
            name = spec.get("name") or resource["name"]
            type_ = spec.get("type") or resource["type"]
            for old_parent in [()] if spec.get("noParent") else parents:
                child_name = name
                if parent and old_parent != parent and name.startswith(parent[-1][1]):
                    child_name = old_parent[-1][1] + name[len(parent[-1][1]) :]
                candidate = (*old_parent, (type_, child_name))
                if candidate not in found:
                    found.append(candidate)
        memo[identity] = found
        return found

    return {identity: of(identity) for identity in head}


def ancestry(plan: dict[str, Any]) -> Any:
    by_label = {r["label"]: r for r in plan["resources"]}

    def parents(resource: dict[str, Any]) -> list[str]:
        chain: list[str] = []
        current = resource.get("parent")
        while current and current in by_label:
            chain.append(current)
            current = by_label[current].get("parent")
        return list(reversed(chain))

    return parents
