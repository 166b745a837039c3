"""One table of lab languages: the tools a language really uses, and the modules that offer it."""

from __future__ import annotations

import asyncio
import shutil

from forge_tui.content import STARTER_FILES, catalog
from forge_tui.boss import COMPILED, compiled
from forge_tui.languages import BY_ID, BY_SUFFIX, LANGUAGES, missing_tool, module_languages
from forge_tui.saves import LANGUAGE_IDS
from forge_tui.toolchains import languages


def test_every_list_of_languages_is_the_table():
    assert LANGUAGE_IDS == tuple(spec.id for spec in LANGUAGES)
    assert STARTER_FILES == {spec.id: spec.starter for spec in LANGUAGES}


def test_a_compiled_language_is_checked_by_the_binary_its_build_runs():
    for spec in LANGUAGES:
        if spec.compiled:
            assert spec.build[0] in spec.tools


def test_a_missing_compiler_is_named(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert "no gcc found" in missing_tool(BY_ID["c"])
    assert "no rustc found" in missing_tool(BY_ID["rust"])
    assert missing_tool(BY_ID["python"]) is None


def test_a_module_offers_a_language_only_with_a_starter_and_a_judge(tmp_path):
    modules = catalog().modules
    for module in modules:
        offered = module_languages(module)
        assert offered[0] == "python"
        for language in offered[1:]:
            assert module.starter_path(language) is not None
    first = catalog().module(1)
    assert "c" in module_languages(first)  # lab/c.c and bosses/vector-awakens/c/


def test_a_language_no_module_offers_is_not_offered_at_signup():
    offered = {lang.id: lang for lang in languages()}
    for spec in LANGUAGES:
        if not any(spec.id in module_languages(m) for m in catalog().modules):
            assert not offered[spec.id].available
            assert "no module has" in offered[spec.id].reason
    assert offered["python"].available


def test_the_judges_build_each_compiled_language_of_the_table_and_name_what_to_install(monkeypatch):
    for spec in LANGUAGES:
        if spec.compiled:  # the Lab part's build asks the judges' entry for its compiler
            assert compiled(spec.id).spec is spec
    for suffix, entry in COMPILED.items():
        assert BY_SUFFIX[suffix] is entry.spec and entry.lab_file == entry.spec.lab_file
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    for entry in COMPILED.values():
        missing = asyncio.run(entry.find_toolchain())
        assert missing == f"{entry.spec.name} labs need {entry.spec.tools[0]} ({entry.spec.install})"
