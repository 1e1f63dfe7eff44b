//! Medians, percentiles and rounding, in one place so that a day and a range agree.

use super::Spread;

/// Seconds to minutes, rounded to one decimal.
pub(crate) fn minutes(seconds: f64) -> f64 {
    (seconds / 6.0).round() / 10.0
}

/// A ratio rounded to four decimals, `None` when the denominator is 0.
pub(crate) fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) / f64::from(whole) * 10_000.0).round() / 10_000.0)
}

/// The median of sorted samples: the middle one, or the mean of the two middle ones.
pub(crate) fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    Some(if n % 2 == 1 {
        sorted[mid] as f64
    } else {
        (sorted[mid - 1] as f64 + sorted[mid] as f64) / 2.0
    })
}

/// The nearest-rank percentile (`ceil(p n)`-th smallest) of sorted samples: always a value
/// that was observed, which is easy to explain and to check by hand.
pub(crate) fn nearest_rank(sorted: &[i64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
    Some(sorted[rank - 1] as f64)
}

/// Median, 90th percentile and maximum of samples in seconds, as minutes.
pub(crate) fn spread(mut seconds: Vec<i64>) -> Spread {
    seconds.sort_unstable();
    Spread {
        median: median(&seconds).map(minutes),
        p90: nearest_rank(&seconds, 0.9).map(minutes),
        max: seconds.last().map(|&s| minutes(s as f64)),
    }
}

/// The median of samples in seconds, as minutes.
pub(crate) fn median_minutes(mut seconds: Vec<i64>) -> Option<f64> {
    seconds.sort_unstable();
    median(&seconds).map(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_count_is_mean_of_middle_two_and_p90_is_nearest_rank() {
        assert_eq!(median(&[60, 120, 180, 600]), Some(150.0));
        assert_eq!(
            nearest_rank(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9),
            Some(9.0)
        );
        assert_eq!(
            nearest_rank(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9),
            Some(10.0)
        );
        assert_eq!(nearest_rank(&[7], 0.9), Some(7.0));
        assert_eq!(spread(Vec::new()), Spread::default());
    }

    #[test]
    fn minutes_round_to_one_decimal() {
        assert_eq!(minutes(90.0), 1.5);
        assert_eq!(minutes(100.0), 1.7);
        assert_eq!(share(1, 3), Some(0.3333));
        assert_eq!(share(1, 0), None);
    }
}
