"""Fictional but realistic demo data for one London-like medical school, generated with a fixed seed.

Each app contributes a `demo.py` with `seed(ctx)`; they run in INSTALLED_APPS order, so later apps can use
what earlier ones made (the context carries the users and the random generator).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from commed.accounts.models import Role, StudentProfile, User

DEMO_PASSWORD = "commed-demo-2026"
SEED = 20260901

STAFF = [
    ("lead", Role.LEAD, "Amara", "Okafor"),
    ("lead2", Role.LEAD, "Tom", "Hughes"),
    ("tutor", Role.TUTOR, "Priya", "Raman"),
    ("tutor2", Role.TUTOR, "Daniel", "Mensah"),
    ("tutor3", Role.TUTOR, "Helen", "Walsh"),
    ("tutor4", Role.TUTOR, "Yusuf", "Ali"),
    ("coordinator", Role.COORDINATOR, "Grace", "Adeyemi"),
    ("researcher", Role.RESEARCHER, "Sofia", "Marchetti"),
    ("researcher2", Role.RESEARCHER, "James", "Whitfield"),
    ("admin", Role.ADMIN, "Sam", "Patel"),
]
FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Dev", "Ella", "Farah", "George", "Hana", "Isaac", "Jade", "Kwame", "Leila", "Mohammed",
    "Nadia", "Oliver", "Priyanka", "Qasim", "Rosa", "Samir", "Tara", "Umar", "Verity", "Wei", "Xena", "Yasmin",
    "Zain", "Abdi", "Bethany", "Chidi", "Deborah", "Emre", "Fatima", "Gabriel", "Hollie", "Ibrahim", "Joanna",
    "Kofi", "Lucy", "Maryam", "Niamh", "Osman", "Poppy", "Rahul", "Saoirse", "Tobi", "Usha", "Victor", "Wiktoria",
]
OTHER_LANGUAGES = ["bn", "so", "ur", "pl", "tr", "yo", "ar", "pa"]
LAST_NAMES = [
    "Ahmed", "Begum", "Campbell", "Da Silva", "Evans", "Fofana", "Green", "Hussain", "Ibrahim", "Jones", "Khan",
    "Liu", "Mohamud", "Nowak", "O'Brien", "Patel", "Quinn", "Rahman", "Smith", "Thompson", "Uddin", "Vaughan",
    "Williams", "Xu", "Yilmaz", "Zhang", "Asante", "Brown", "Chowdhury", "Doherty", "Egan", "Farah",
]


@dataclass
class DemoContext:
    rng: random.Random
    today: dt.date
    password_hash: str
    users: dict[str, User] = field(default_factory=dict)
    students: list[User] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def academic_year(today: dt.date, offset: int = 0) -> str:
    start = today.year if today.month >= 9 else today.year - 1
    start += offset
    return f"{start}/{(start + 1) % 100:02d}"


def demo_logins() -> list[tuple[str, str]]:
    logins = [(Role(role).label, username) for username, role, _, _ in STAFF if not username[-1].isdigit()]
    logins.insert(3, ("Student", "student"))
    logins.insert(4, ("Partner contact", "partner"))
    return logins


def _user(ctx: DemoContext, username: str, role: str, first: str, last: str) -> User:
    user = User.objects.create(
        username=username,
        email=f"{username}@demo.commed.invalid",
        first_name=first,
        last_name=last,
        role=role,
        password=ctx.password_hash,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    ctx.users[username] = user
    return user


def _students(ctx: DemoContext) -> None:
    # 150 students in Year 3 in each of the last two academic years: 300 in all.
    number = 0
    for offset in (-1, 0):
        year = academic_year(ctx.today, offset)
        for _ in range(150):
            number += 1
            first, last = ctx.rng.choice(FIRST_NAMES), ctx.rng.choice(LAST_NAMES)
            username = "student" if number == 151 else f"s{number:04d}"
            user = _user(ctx, username, Role.STUDENT, first, last)
            StudentProfile.objects.create(
                user=user,
                student_number=f"2{number:06d}",
                year_of_study=3,
                academic_year=year,
                widening_participation=ctx.rng.random() < 0.22,
                languages=",".join(["en", *ctx.rng.sample(OTHER_LANGUAGES, ctx.rng.choice([0, 0, 1, 1, 2]))]),
            )
            ctx.students.append(user)


@transaction.atomic
def demo_seed(seed: int = SEED) -> bool:
    """Load the demo data once; returns False when it is already there."""
    if User.objects.filter(username="lead").exists():
        return False
    ctx = DemoContext(rng=random.Random(seed), today=timezone.localdate(), password_hash=make_password(DEMO_PASSWORD))
    for username, role, first, last in STAFF:
        _user(ctx, username, role, first, last)
    _students(ctx)
    # Each installed app may have a demo.py with seed(ctx); they run in INSTALLED_APPS order.
    for config in apps.get_app_configs():
        if config.name.startswith("commed.") and config.name != __package__ and find_spec(f"{config.name}.demo"):
            import_module(f"{config.name}.demo").seed(ctx)
    return True
