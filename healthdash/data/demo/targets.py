"""Exact figures the drawn demo data must hit, and the arithmetic that hits them.

calibrate.py turns calibration.csv into these targets; generate.py and referrals.py apply them while
they turn expected values into whole numbers, so a published total comes out exact, not merely close.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ExactSum:
    """The rows of `table` selected by `mask` must add up to `total` in `column`."""

    table: str
    mask: np.ndarray
    column: str
    total: int


@dataclass(frozen=True)
class ShareTarget:
    """Over the rows, sum(part) / (sum(part) + sum(other)) must equal `share`: fixes sum(other)."""

    table: str
    mask: np.ndarray
    part: str
    other: str
    share: float


@dataclass(frozen=True)
class RateTarget:
    """Over the rows, sum(numerator) / sum(denominator) must equal `rate`, once the denominator is drawn."""

    table: str
    mask: np.ndarray
    numerator: str
    denominator: str
    rate: float


@dataclass(frozen=True)
class RateFloor:
    """Every `group` (e.g. town) among the rows must reach sum(numerator) / sum(denominator) >= floor."""

    table: str
    mask: np.ndarray
    group: str
    numerator: str
    denominator: str
    floor: float


Target = ExactSum | ShareTarget | RateTarget | RateFloor


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights, exactly (largest remainder; ties by position)."""
    weights = np.asarray(weights, dtype=np.float64)
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    shares = total * weights / weights.sum()
    out = np.floor(shares).astype(np.int64)
    rest = int(total - out.sum())
    out[np.argsort(-(shares - out), kind="stable")[:rest]] += 1
    return out


def fit_total(values: np.ndarray, mask: np.ndarray, total: int, rng: np.random.Generator | None) -> None:
    """Replace values[mask] with whole numbers adding up to `total`, in proportion to the current values.

    With a generator the split is a multinomial draw (for small counts, which should look Poisson);
    without one it is the exact largest-remainder split (for large volumes, which keep their shape).
    """
    weights = np.clip(np.asarray(values[mask], dtype=np.float64), 0, None)
    if rng is None:
        values[mask] = allocate(total, weights)
    else:
        p = weights / weights.sum() if weights.sum() > 0 else np.full(len(weights), 1 / len(weights))
        values[mask] = rng.multinomial(total, p)


def of_table(targets: list[Target], table: str) -> list[Target]:
    return [t for t in targets if t.table == table]


def apply_sums(df: pd.DataFrame, targets: list[Target], columns: tuple[str, ...], rng: np.random.Generator | None) -> None:
    """Apply every ExactSum on `columns` to df (whose columns already hold whole numbers)."""
    for target in targets:
        if isinstance(target, ExactSum) and target.column in columns:
            values = df[target.column].to_numpy(dtype=np.float64, copy=True)
            fit_total(values, target.mask, target.total, rng)
            df[target.column] = values


def draw_counts(df: pd.DataFrame, targets: list[Target], columns: tuple[str, ...], rng: np.random.Generator) -> None:
    """Turn expected counts in `columns` into Poisson draws, except rows under an ExactSum: those get a
    multinomial split of the target in proportion to their expected values."""
    for column in columns:
        expected = df[column].to_numpy(dtype=np.float64)
        values = np.empty_like(expected)
        fixed = np.zeros(len(df), dtype=bool)
        for target in targets:
            if isinstance(target, ExactSum) and target.column == column:
                values[target.mask] = expected[target.mask]
                fit_total(values, target.mask, target.total, rng)
                fixed |= target.mask
        values[~fixed] = rng.poisson(expected[~fixed])
        df[column] = values.astype(np.int64)


def apply_shares(df: pd.DataFrame, targets: list[Target]) -> None:
    for target in targets:
        if isinstance(target, ShareTarget):
            part = df.loc[target.mask, target.part].sum()
            other_total = round(part * (1 - target.share) / target.share)
            values = df[target.other].to_numpy(dtype=np.float64, copy=True)
            fit_total(values, target.mask, other_total, None)
            df[target.other] = values


def apply_rates(df: pd.DataFrame, targets: list[Target]) -> None:
    """Fix numerators so each RateTarget holds, never above the row's denominator."""
    for target in targets:
        if not isinstance(target, RateTarget):
            continue
        den = df.loc[target.mask, target.denominator].to_numpy(dtype=np.float64)
        num = df.loc[target.mask, target.numerator].to_numpy(dtype=np.float64)
        split = allocate(round(target.rate * den.sum()), num)
        if (split > den).any():
            split = allocate(round(target.rate * den.sum()), den)
        df.loc[target.mask, target.numerator] = split


def apply_floors(df: pd.DataFrame, targets: list[Target]) -> None:
    """Raise the numerators of groups below their floor, just enough (plus half a point of margin)."""
    for target in targets:
        if not isinstance(target, RateFloor):
            continue
        rows = df.loc[target.mask]
        sums = rows.groupby(target.group)[[target.numerator, target.denominator]].sum()
        for group, row in sums.iterrows():
            wanted = int(np.ceil((target.floor + 0.005) * row[target.denominator]))
            if row[target.numerator] >= wanted:
                continue
            idx = rows.index[rows[target.group] == group]
            den = df.loc[idx, target.denominator].to_numpy(dtype=np.float64)
            df.loc[idx, target.numerator] = np.minimum(allocate(wanted, den), den)
