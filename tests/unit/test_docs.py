"""The docs stay true to the tree: every module is on the architecture map, every link resolves."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _modules() -> list[Path]:
    found = []
    for pkg in ("cron_adapter", "handlers"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if path.name == "__init__.py" and not path.read_text().strip():
                continue
            found.append(path.relative_to(ROOT))
    return found


def test_every_module_is_on_the_architecture_map() -> None:
    text = (DOCS / "architecture.md").read_text()
    sections = re.split(r"^### ", text, flags=re.M)
    missing = []
    for module in _modules():
        folder = "/".join(module.parts[1:-1])
        heading = f"`{folder}/`" if folder else ("`handlers/`" if module.parts[0] == "handlers" else "Top level")
        section = next((s for s in sections if s.startswith(heading) or heading in s.split("\n", 1)[0]), "")
        if f"`{module.name}`" not in section:
            missing.append(str(module))
    assert not missing, f"add these modules to docs/architecture.md's module map: {missing}"


def test_relative_links_in_readme_and_docs_resolve() -> None:
    broken = []
    for page in [ROOT / "README.md", *DOCS.rglob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def _anchor(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_same_page_anchors_resolve() -> None:
    broken = []
    for page in [ROOT / "README.md", *DOCS.rglob("*.md")]:
        text = page.read_text()
        anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
        broken += [f"{page.relative_to(ROOT)} -> #{a}" for a in re.findall(r"\]\(#([^)]+)\)", text) if a not in anchors]
    assert not broken, broken


def test_docs_stand_alone() -> None:
    # Built from parts so this test is not itself a reference to a file outside the repository.
    outside = ["DESIGN" + r"\.md", "AWS" + "-FACTS", r"\.\./" + "shared", "the " + "issue", "this " + "issue"]
    pattern = re.compile("|".join(outside))
    offenders = [
        str(p.relative_to(ROOT)) for p in [ROOT / "README.md", *DOCS.rglob("*.md")] if pattern.search(p.read_text())
    ]
    assert not offenders, offenders
