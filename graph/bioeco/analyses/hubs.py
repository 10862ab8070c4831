"""Hub roles of members: funders, public bodies and initiatives, ranked apart from actors."""

from __future__ import annotations

__all__ = ["HUB_ROLES", "member_role"]


#: ``role`` of a member in ``bridges_actors`` by actor type: funders, public bodies and the
#: initiatives themselves (a cluster, or the organisation that runs one) connect many actors
#: by what they are; they are ranked apart from the actors a cluster manager could work with.
HUB_ROLES: dict[str, str] = {
    "funding-agency": "funder",
    "ministry": "public-body",
    "public-agency": "public-body",
    "regional-authority": "public-body",
    "municipality": "public-body",
    "cluster-organisation": "initiative",
}


def member_role(kind: str | None, actor_type: str | None) -> str:
    """``actor``, or the hub role of a member (:data:`HUB_ROLES`; every initiative is one).

    Examples
    --------
    >>> member_role("actor", "company"), member_role("actor", "funding-agency")
    ('actor', 'funder')
    >>> member_role("initiative", "cluster")
    'initiative'
    """
    if kind == "initiative":
        return "initiative"
    return HUB_ROLES.get(actor_type or "", "actor")
