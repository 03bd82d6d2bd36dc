"""Reaching a form once and handing it to hypothesis: the generated cases of one test all post to that form."""

from hypothesis import given
from hypothesis import strategies as st

from .checks import Target
from .conftest import Snapshot
from .inputs import cases, fuzz_settings


def form_values(page, name: str) -> dict[str, str]:
    """What the page's form holding the field `name` sends as it is, plus what the test filled in it."""
    element = page.soup.find(attrs={"name": name})
    assert element is not None, f"pas de champ {name} sur {page.url}"
    page._form_of(element)
    return dict(page._values)


def target(app, page, url: str, kinds: dict[str, str], counter: dict, **options) -> Target:
    """The form of `page` holding the fields of `kinds`, as filled so far, posted to `url` from the page's browser."""
    baseline = {**form_values(page, next(iter(kinds))), **options.pop("extra", {})}
    kept = options.pop("kept", None)
    if kept is None:
        kept = tuple(name for name in baseline if name != "csrf_token" and name in kinds)
    return Target(
        client=page.browser.client,
        url=url,
        baseline=baseline,
        kinds=kinds,
        snapshot=Snapshot(app),
        kept=kept,
        counter=counter,
        **options,
    )


def fuzz(form: Target, examples: int, urlencoded: bool = True, megabyte: bool = True) -> None:
    """`examples` generated cases, each changing one field of the form (a date group as a whole for an impossible
    date), sent as multipart like a browser or, when the form has no file, urlencoded as well."""
    date_parts = {name for group in form.dates for name in group}
    names = sorted(form.kinds)
    posted = form.method == "post"

    @fuzz_settings(examples)
    @given(st.data())
    def run(data):
        name = data.draw(st.sampled_from(names), label="champ")
        case = data.draw(cases(with_dates=name in date_parts, megabyte=megabyte and posted), label="cas")
        encoded = posted and urlencoded and not form.files and data.draw(st.booleans(), label="urlencoded")
        form.post(name, case, urlencoded=encoded)

    run()
