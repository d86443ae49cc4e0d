"""Every URL, for every persona, on their own object and on someone else's. Outsiders get 404."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import commed
from commed.lib.access_specs import UrlSpec
from conftest import PERSONA_NAMES

# URLs that are not ours to test persona by persona (none so far).
EXEMPT: set[str] = set()


def _all_specs() -> list[UrlSpec]:
    specs: list[UrlSpec] = []
    for module in pkgutil.walk_packages(commed.__path__, "commed."):
        if module.name.endswith(".tests.access_specs"):
            specs.extend(importlib.import_module(module.name).SPECS)
    return specs


def _url_names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _url_names(pattern.url_patterns, namespace)
        elif pattern.name:
            names.add(prefix + pattern.name)
        else:
            names.add(f"{prefix}<unnamed {pattern.pattern}>")
    return names


SPECS = _all_specs()


def test_every_url_has_an_access_spec() -> None:
    declared = {spec.name for spec in SPECS}
    missing = _url_names(get_resolver().url_patterns) - declared - EXEMPT
    assert not missing, f"URLs without an access spec in an app's tests/access_specs.py: {sorted(missing)}"


def test_no_spec_names_a_url_that_does_not_exist() -> None:
    stale = {spec.name for spec in SPECS} - _url_names(get_resolver().url_patterns)
    assert not stale, f"Access specs for URLs that no longer exist: {sorted(stale)}"


def _request(client, spec: UrlSpec, personas, kwargs):
    url = reverse(spec.name, kwargs=kwargs or None)
    if spec.method == "post":
        return client.post(url, spec.data(personas) if spec.data else {})
    return client.get(url)


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_url_access(spec: UrlSpec, personas) -> None:
    failures = []
    anonymous = personas.client("anonymous")
    kwargs = spec.own(personas, "lead") if spec.own else None
    response = _request(anonymous, spec, personas, kwargs)
    expected_anonymous = spec.ok_status if spec.public else spec.anonymous_status
    if response.status_code not in expected_anonymous:
        failures.append(f"anonymous: {response.status_code}, expected {expected_anonymous}")
    for name in PERSONA_NAMES:
        client = personas.client(name)
        kwargs = spec.own(personas, name) if spec.own else None
        response = _request(client, spec, personas, kwargs)
        expected = spec.ok_status if (name in spec.allowed or spec.public) else (404,)
        if response.status_code not in expected:
            failures.append(f"{name} on own object: {response.status_code}, expected {expected}")
        if spec.foreign is not None:
            response = _request(client, spec, personas, spec.foreign(personas, name))
            expected = spec.ok_status if name in spec.sees_all else (404,)
            if spec.public:
                expected = (404,)
            if response.status_code not in expected:
                failures.append(f"{name} on someone else's object: {response.status_code}, expected {expected}")
    assert not failures, f"{spec.name}:\n  " + "\n  ".join(failures)
