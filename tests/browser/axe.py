"""axe-core scans through axe-playwright-python, which bundles its own axe.min.js (no network needed)."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

# WCAG tags alone miss a page without <h1> (`page-has-heading-one` is best-practice): ecosystem.md §2.3.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
_AXE = Axe()


def scan(page: Page) -> dict:
    """axe's raw results for the page as it is now (violations in full; passes etc. only listed)."""
    return _AXE.run(page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}).response


def rule_ids(results: dict) -> set[str]:
    return {violation["id"] for violation in results["violations"]}


def report(results: dict, where: str) -> str:
    lines = [f"{where} ({results['url']}, axe {results['testEngine']['version']}) :"]
    for violation in results["violations"]:
        lines.append(f"  - {violation['id']} [{violation['impact']}] {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"      cible {' '.join(node['target'])} : {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("        " + node["failureSummary"].replace("\n", "\n        "))
    return "\n".join(lines)


class Audit:
    """Scans page after page and keeps the violations, so one failing test lists every page at fault."""

    def __init__(self):
        self.failures: list[str] = []
        self.scanned: list[str] = []

    def scan(self, page: Page, where: str) -> dict:
        results = scan(page)
        assert results["passes"], f"axe n'a rien vérifié sur {where} ({results['url']})"
        self.scanned.append(where)
        if results["violations"]:
            self.failures.append(report(results, where))
        return results

    def assert_clean(self):
        assert not self.failures, "Violations axe :\n" + "\n".join(self.failures)
        assert self.scanned, "aucune page analysée"
