"""The load generator's arithmetic (the bench itself runs with `make bench`)."""

import pytest

from jco.devtools.bench import Measure, main


def test_percentiles_and_throughput():
    measure = Measure("register", "/jcos", latencies=[i / 1000 for i in range(1, 101)], seconds=2.0)
    assert measure.rps == 50.0
    assert measure.percentile(50) == pytest.approx(51.0, abs=1)
    assert measure.percentile(95) == pytest.approx(95.0, abs=1)
    assert Measure("x", "/").percentile(95) == 0.0 and Measure("x", "/").rps == 0.0


def test_unknown_engine_is_refused():
    with pytest.raises(SystemExit):
        main(["--engines", "oracle"])
