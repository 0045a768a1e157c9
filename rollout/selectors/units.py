"""The province this installation serves, by name, read from the units data (never written into templates)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from rollout.models import Province

# Legal titles in front of a province's name ("Tỉnh Lào Cai", "Thành phố Hà Nội"); the short name drops them.
_TITLES = ("tỉnh ", "thành phố ")


@dataclass(frozen=True)
class HomeProvince:
    code: int
    name: str  # as in the units data: "Tỉnh Lào Cai", "Thành phố Hà Nội"
    short_name: str  # "Lào Cai", "Hà Nội"

    def __str__(self) -> str:
        return self.name


# Every page shows the name, and the units change only when load_admin_units runs: one look-up per
# process and province code, forgotten when a Province row is saved or the units are loaded again.
_cache: dict[int, HomeProvince] = {}


def province_short_name(name: str) -> str:
    lowered = name.lower()
    for title in _TITLES:
        if lowered.startswith(title):
            return name[len(title) :]
    return name


def home_province() -> HomeProvince:
    code = settings.HOME_PROVINCE_CODE
    found = _cache.get(code)
    if found is None:
        name = Province.objects.filter(pk=code).values_list("name", flat=True).first()
        if name is None:  # units not loaded yet: say nothing rather than a wrong name, and look again next time
            return HomeProvince(code, "", "")
        found = _cache[code] = HomeProvince(code, name, province_short_name(name))
    return found


def home_province_forget() -> None:
    _cache.clear()
