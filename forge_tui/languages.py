"""The one table of lab languages: what each needs, how its lab is built and run, its file names.

Standard library only (the save store validates language ids against it at start-up). Which
modules offer a language is not written here: a module offers it when its level has a starter in
that language and its boss can judge it (see `module_languages`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageSpec:
    id: str
    name: str
    starter: str  # the starter's file name in levels/<NN-slug>/lab/
    lab_file: str  # the player's file in the run's workspace
    tools: tuple[str, ...]  # the binaries actually used to build it (looked up on PATH)
    build: tuple[str, ...]  # argv that builds lab_file into ./lab in the lab's folder; () if interpreted.
    # Its first word is the tool; the build runs the compiler the judges find for it (forge_tui.boss).
    python_modules: tuple[str, ...] = ()  # importable modules it needs (Triton: torch, triton)
    install: str = ""  # what to install when something is missing

    @property
    def compiled(self) -> bool:
        return bool(self.build)


LANGUAGES: tuple[LanguageSpec, ...] = (
    LanguageSpec("python", "Python", "python.py", "lab.py", (), ()),
    LanguageSpec("c", "C", "c.c", "lab.c", ("gcc",), ("gcc", "-O2", "-std=c11", "-o", "lab", "lab.c", "-lm"),
                 install="install gcc: apt-get install gcc on Debian/Ubuntu, xcode-select --install on macOS"),
    LanguageSpec("rust", "Rust", "rust.rs", "lab.rs", ("rustc",),
                 ("rustc", "--edition", "2021", "-O", "-o", "lab", "lab.rs"),
                 install="install Rust: https://rustup.rs, or apt-get install rustc"),
    LanguageSpec("triton", "Triton", "triton.py", "lab.py", (), (), ("torch", "triton"),
                 install="pip install torch triton (on a CPU machine: pip install torch==2.13.0 first)"),
)
BY_ID: dict[str, LanguageSpec] = {spec.id: spec for spec in LANGUAGES}
BY_SUFFIX: dict[str, LanguageSpec] = {"." + spec.lab_file.rsplit(".", 1)[1]: spec for spec in LANGUAGES
                                      if spec.id != "triton"}
LANGUAGE_IDS: tuple[str, ...] = tuple(BY_ID)


def missing_tool(spec: LanguageSpec) -> str | None:
    """Why `spec` cannot run on this machine, or None. PATH lookups and find_spec only."""
    import importlib.util
    import shutil

    for tool in spec.tools:
        if shutil.which(tool) is None:
            return f"no {tool} found: {spec.install}"
    for name in spec.python_modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return f"{name} is not installed: {spec.install}"
    return None


def module_languages(module) -> list[str]:
    """The languages `module` offers: a starter in its level and a judge in its boss folder
    (Python always judges; a compiled language needs `bosses/<id>/<language id>/`)."""
    from forge_tui.locations import bosses_directory

    boss = bosses_directory() / module.id
    offered = []
    for spec in LANGUAGES:
        if not (module.folder / "lab" / spec.starter).is_file():
            continue
        if spec.id == "python" or (boss / spec.id).is_dir() or not (boss / "boss.py").is_file():
            offered.append(spec.id)
    return offered
