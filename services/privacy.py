"""E-PRIVACY for what people type: the one masking every stored opinion, summary and free-text field goes
through (docs/privacy-audit.md "Privacy"), whichever face it came from.

`masked` is pinggu.analysis.privacy.mask_text — contact data, the names of the people file and of the office's
list (PINGGU_NAME_LIST), and the names a Chinese tagger finds (pinggu.analysis.names) — with the lists read
here, where the database is.
"""

from __future__ import annotations

from collections.abc import Iterable

from pinggu.core.errors import InputFileError
from pinggu.core.settings import get_settings
from pinggu.models.db import read_session
from pinggu.models.people import people


def known_names() -> list[str]:
    """Names masked wherever people type free text (E-PRIVACY): the people file's and the office's name
    list (PINGGU_NAME_LIST, one name per line), two-character names included."""
    with read_session() as session:
        names = [person.name for person in people(session=session)]
    listed = get_settings().name_list
    if listed is not None:
        try:
            names += [line.strip() for line in listed.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as error:
            raise InputFileError(
                f"无法读取姓名名单 {listed}（PINGGU_NAME_LIST）：{error}；请改正该设置或文件（UTF-8，每行一个姓名）",
                path=str(listed),
            ) from None
    return names


def masked(text: str, names: Iterable[str] | None = None) -> str:
    """`text` as it may be stored: contact data and personal names replaced by [已隐去]. Read the lists once
    (known_names) and pass them when masking several texts; the text is stripped."""
    from pinggu.analysis.privacy import mask_text  # pandas is imported only where text is masked

    return mask_text(text.strip(), known_names() if names is None else names)
