"""The app's look for phones, keyboards and screen readers, in one place.

- `apply_style`: the only CSS in the app. Tap targets of at least 44 px (WCAG 2.5.5), a focus
  ring of at least 3:1 against white on every control (WCAG 2.4.7, 1.4.11), and captions dark
  enough for 4.5:1 (Streamlit's grey reads 3.88:1).
- `arrive`: when the shopper reaches a new step or the results, the page opens at the top,
  focus moves to the new heading, and a polite live region announces it. It runs once per
  arrival, never on a rerun within a step, so ticking a box never moves the focus.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import streamlit as st

from recommender.shopper.answers import LIST_CHOICES

FOCUS = "#1f6f8b"  # the theme's primary colour: 5.6:1 against white
# A picked pill is primary text on a 20% primary tint: 4.26:1; this darker shade reads 7:1.
PICKED_TEXT = "#14495c"
TEXT_MUTED = "#4a4d57"  # 8:1 against white
MIN_TAP = "44px"
KEYBOARD_HINT = (
    "Keyboard: Tab and Shift+Tab move between questions and buttons; Space ticks a box, "
    "Enter presses a button. In a group of choices (round buttons or a row of buttons), Tab "
    "reaches the group and the arrow keys move between its choices; Space picks one."
)
_ARRIVED_KEY = "finder_arrived"
FIRST_PLACE = "step-0-0"
KEYBOARD_HINT_KEY = "keyboard_hint"  # shown only once the keyboard moves the focus
KEYS_IN_USE = "finder-keys"  # the page's class once Tab was pressed
CARD_KEY_PREFIX = "card_"  # a product card's container key; Streamlit makes it a CSS class
COMPARE_TRAY_KEY = "compare_tray"
SIDE_BY_SIDE_KEY = "side_by_side"
SHARE_KEY = "share_box"

AREA_TILES_KEY = "q_pain_areas"  # the "Where do you feel pain?" pills, drawn as picture tiles
AREA_PICTURES = Path(__file__).resolve().parents[1] / "assets" / "areas"  # draw_area_tiles.py


def _area_tiles_css() -> str:
    """Each pain-area choice as a tile with a drawing of the area above its name.

    Only the look changes: the choices stay the same buttons (named, pressed or not, reached
    with Tab and the arrow keys), so a screen reader, a keyboard or a page without this style
    gets the plain list. The pictures are decoration: the name on the tile says it all.
    """
    group = f".st-key-{AREA_TILES_KEY} [role='toolbar']"
    rules = [
        f"{group} {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(6.5rem, 1fr));"
        " gap: 0.5rem; width: 100% !important; max-width: none !important; }",
        f".st-key-{AREA_TILES_KEY}, .st-key-{AREA_TILES_KEY} [data-testid='stButtonGroup'] "
        "{ width: 100% !important; }",
        f"{group} button {{ min-height: 7.5rem !important; border-radius: 0.75rem;"
        " padding: 4.6rem 0.25rem 0.4rem !important; justify-content: center;"
        " background: #fff no-repeat center 0.45rem / auto 4rem; }",
        f"{group} button p {{ text-align: center; }}",
        f"{group} button[aria-pressed='true'] {{ border: 2px solid {FOCUS};"
        " background-color: #e3f0f4; }",
    ]
    for index, area in enumerate(LIST_CHOICES["pain_areas"], start=1):
        svg = (AREA_PICTURES / f"{area}.svg").read_text(encoding="utf-8").strip()
        picture = f'url("data:image/svg+xml,{quote(svg)}")'
        rules.append(f"{group} button:nth-child({index}) {{ background-image: {picture}; }}")
    return "\n".join(rules)


_CSS = f"""
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] p, [data-testid="stMarkdownContainer"] small {{
  color: {TEXT_MUTED};
  opacity: 1;
}}
button, [role="tab"], [data-testid="stExpander"] summary, [data-testid="stPageLink"] a {{
  min-height: {MIN_TAP} !important;  /* Streamlit's own button rule is more specific */
}}
[data-testid="stCheckbox"] label, [role="radiogroup"] label, [data-testid="stToggle"] label {{
  min-height: {MIN_TAP};
  align-items: center;
}}
button[aria-pressed="true"], button[aria-pressed="true"] p {{ color: {PICKED_TEXT}; }}
/* A long choice ("A weakened immune system, from an illness or its treatment") wraps on a
   phone instead of ending in "...": a shopper must read what they tick. */
[data-testid="stButtonGroup"] button, [data-testid="stButtonGroup"] button * {{
  white-space: normal !important;
  text-overflow: clip !important;
  overflow: visible !important;
}}
[data-testid="stButtonGroup"] button {{ height: auto !important; text-align: left; }}
[role="radiogroup"] {{ gap: 0.25rem 1rem; }}
:focus-visible, [data-testid="stExpander"] summary:focus-visible {{
  outline: 3px solid {FOCUS} !important;
  outline-offset: 2px;
}}
label:has(input:focus-visible) {{
  outline: 3px solid {FOCUS};
  outline-offset: 2px;
  border-radius: 4px;
}}
/* A product's name is a level-2 heading (the page outline may not skip levels), drawn at
   the size of a card title rather than a section's. */
[class*="st-key-{CARD_KEY_PREFIX}"] h2 {{ font-size: 1.5rem; padding: 0.5rem 0 1rem; }}
/* The keyboard hint shows once the keyboard is in use (the first Tab, see _KEYS_JS), and then
   stays: hiding it again on a click would move the buttons under the pointer. */
.st-key-{KEYBOARD_HINT_KEY} {{ display: none; }}
.{KEYS_IN_USE} .st-key-{KEYBOARD_HINT_KEY} {{ display: block; }}
/* A card is short on a phone: its name sits beside the picture, tighter than a section. */
[class*="st-key-{CARD_KEY_PREFIX}"] h2 {{ padding: 0 0 0.25rem; }}
[class*="st-key-{CARD_KEY_PREFIX}"] .stMarkdownBadge {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  max-width: 100%;
}}
/* The compare tray stays at the foot of the screen once a product is ticked. */
.st-key-{COMPARE_TRAY_KEY} {{
  position: fixed; bottom: 0; left: 0; right: 0; z-index: 100;
  padding: 0.5rem 1rem; background: #fff; border-top: 1px solid #ccc;
  box-shadow: 0 -2px 8px rgba(0, 0, 0, 0.12); justify-content: center;
}}
[data-testid="stMain"]:has(.st-key-{COMPARE_TRAY_KEY}) {{ padding-bottom: 5rem; }}
/* Side by side stays side by side on a phone (Streamlit stacks columns below 640 px). */
.st-key-{SIDE_BY_SIDE_KEY} [data-testid="stHorizontalBlock"] {{ flex-wrap: nowrap; gap: 0.5rem; }}
.st-key-{SIDE_BY_SIDE_KEY} [data-testid="stColumn"] {{
  min-width: 0 !important; flex: 1 1 0 !important; width: auto !important;
}}
.st-key-{SIDE_BY_SIDE_KEY} {{ gap: 0.35rem; }}
.st-key-{SIDE_BY_SIDE_KEY} [data-testid="stCaptionContainer"] {{
  border-top: 1px solid #e4e4e8; padding-top: 0.25rem; font-weight: 600;
}}
/* The share box's copy button shows at once, not only while the link is hovered. */
.st-key-{SHARE_KEY} [data-testid="stCode"] > div,
.st-key-{SHARE_KEY} [data-testid="stCode"] > div * {{
  opacity: 1 !important; visibility: visible !important;
}}
{_area_tiles_css()}
/* A heading takes focus only so that a screen reader starts there: no ring around it. */
h1[tabindex="-1"]:focus, h2[tabindex="-1"]:focus {{ outline: none !important; }}
</style>
"""

# Runs in the page itself (st.html with JavaScript), so it can reach Streamlit's scrolling
# container and the heading. It waits for the heading, since the script may land before it.
_ARRIVE_JS = """
<script>
(() => {
  const heading = %s, announcement = %s;
  let tries = 0;
  const arrive = () => {
    const found = [...document.querySelectorAll("h1, h2")]
      .find((h) => h.textContent.trim() === heading);
    if (!found && tries++ < 60) { setTimeout(arrive, 50); return; }
    window.scrollTo(0, 0);
    document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppScrollToBottomContainer"]')
      .forEach((box) => box.scrollTo(0, 0));
    if (found) {
      found.setAttribute("tabindex", "-1");
      found.focus({preventScroll: true});
    }
    let live = document.getElementById("finder-announcer");
    if (!live) {
      live = document.createElement("div");
      live.id = "finder-announcer";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      live.style.cssText = "position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;"
        + "clip:rect(0 0 0 0);white-space:nowrap;border:0";
      document.body.appendChild(live);
    }
    live.textContent = announcement;
  };
  arrive();
})();
</script>
"""


# Marks the page once the keyboard moves the focus; installed once per browser tab.
_KEYS_JS = f"""
<script>
if (!window.finderKeys) {{
  window.finderKeys = true;
  document.addEventListener("keydown", (event) => {{
    if (event.key === "Tab") document.documentElement.classList.add("{KEYS_IN_USE}");
  }}, true);
}}
</script>
"""


def apply_style() -> None:
    """Put the app's CSS on the page."""
    st.html(_CSS)
    st.html(_KEYS_JS, unsafe_allow_javascript=True)


def arrive(place: str, heading: str, announcement: str) -> None:
    """Open a new place at the top with focus on its heading, announced; once per arrival."""
    arrived = st.session_state.get(_ARRIVED_KEY)
    st.session_state[_ARRIVED_KEY] = place
    if (arrived is None and place == FIRST_PLACE) or arrived == place:
        return  # a fresh page already opens at the top with the focus at its start
    script = _ARRIVE_JS % (json.dumps(heading), json.dumps(announcement))
    st.html(script, unsafe_allow_javascript=True)
