from commed.lib.access_specs import UrlSpec
from conftest import PERSONA_NAMES

EVERYONE = frozenset(PERSONA_NAMES)

SPECS = [
    UrlSpec("home", allowed=EVERYONE),
    UrlSpec("healthz", allowed=EVERYONE, public=True),
    UrlSpec("login", allowed=EVERYONE, public=True, ok_status=(200, 302)),
    UrlSpec("logout", allowed=EVERYONE, method="post", ok_status=(302,), public=True),
    UrlSpec("password_change", allowed=EVERYONE),
    UrlSpec("audit_list", allowed=frozenset({"admin"})),
]
