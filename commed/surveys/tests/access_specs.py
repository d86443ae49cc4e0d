from commed.lib.access_specs import UrlSpec
from commed.surveys.tests.world import build_world
from conftest import PERSONA_NAMES

MANAGERS = frozenset({"lead", "admin"})
EVERYONE = frozenset(PERSONA_NAMES)


def survey(p, n):
    return {"pk": build_world(p).survey.pk}


def section(p, n):
    return {"pk": build_world(p).section.pk}


def draft_section(p, n):  # a section of another survey (a draft): leads and administrators see every survey
    return {"pk": build_world(p).draft_section.pk}


def item(p, n):
    return {"pk": build_world(p).items["hours"].pk}


def own_invitation(p, n):
    return {"pk": build_world(p).invitations[n].pk}


def foreign_invitation(p, n):  # someone else's invitation to the same survey
    return {"pk": build_world(p).invitations["tutor" if n == "lead" else "lead"].pk}


def manager_spec(name, own, **kwargs):
    return UrlSpec(f"surveys:{name}", allowed=MANAGERS, own=own, **kwargs)


def posted(name, own, data=None):
    return manager_spec(name, own, method="post", data=data, ok_status=(302,))


SPECS = [
    UrlSpec("surveys:list", allowed=MANAGERS),
    UrlSpec("surveys:create", allowed=MANAGERS),
    UrlSpec("surveys:instrument_create", allowed=MANAGERS),
    UrlSpec("surveys:mine", allowed=EVERYONE),
    UrlSpec("surveys:respond", allowed=EVERYONE, own=own_invitation, foreign=foreign_invitation),
    manager_spec("detail", survey),
    manager_spec("edit", survey),
    manager_spec("section_create", survey),
    manager_spec("invite", survey),
    manager_spec("invite_link", survey),
    manager_spec("results", survey),
    manager_spec("export", lambda p, n: {**survey(p, n), "fmt": "csv"}),
    manager_spec("section_edit", section),
    manager_spec("section_delete", section, foreign=draft_section, sees_all=MANAGERS),
    manager_spec("item_create", section),
    manager_spec("item_edit", item),
    posted("status", survey, lambda p: {"status": "open"}),
    posted("copy", survey),
    posted("remind", survey),
    # The world's survey has a response, so moving or removing an item is refused (and redirects back).
    posted("item_move", item, lambda p: {"direction": "up"}),
    posted("item_delete", item),
    # Likewise for sections; the draft's only section cannot move, so the foreign post changes nothing either.
    UrlSpec("surveys:section_move", allowed=MANAGERS, own=section, foreign=draft_section, sees_all=MANAGERS,
            method="post", data=lambda p: {"direction": "up"}, ok_status=(302,)),
    posted("section_delete", section),
]
