"""The licence the package declares is the one it ships (pyproject.toml and LICENSE agree)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_declared_agpl_is_shipped_as_the_full_fsf_text():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "AGPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("                    GNU AFFERO GENERAL PUBLIC LICENSE\n"
                           "                       Version 3, 19 November 2007\n")
    # The whole text, terms and the "How to Apply" appendix, not a stub or a summary.
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert text.rstrip().endswith("<https://www.gnu.org/licenses/>.")
    assert len(text.splitlines()) == 661
