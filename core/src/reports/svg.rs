//! Hourly charts drawn on the server as SVG.
//!
//! They must read on screen, with a screen reader, and on a black-and-white printout: series
//! are told apart by pattern (hatched against solid) and marker, never by colour alone; each
//! chart has `role="img"`, a `<title>` and a `<desc>` that states the figures in words, axis
//! titles, and a `<title>` on every bar and point.

use super::DailyReport;

/// Which hourly chart to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HourlyChart {
    /// Two bars an hour: arrivals (hatched) and first calls (solid).
    ArrivalsAndCalls,
    /// A line with a marker an hour: parties waiting to be called at the end of each hour.
    QueueLength,
}

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 400.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 56.0;
const BOTTOM: f64 = 116.0;
const PLOT_W: f64 = WIDTH - LEFT - RIGHT;
const PLOT_H: f64 = HEIGHT - TOP - BOTTOM;

/// Escapes text for XML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The top of the y axis and its step: a round number of at most five steps above `max`.
fn axis_scale(max: u32) -> (u32, u32) {
    let mut magnitude = 1u32;
    loop {
        for factor in [1, 2, 5] {
            let step = factor * magnitude;
            let steps = max.div_ceil(step).max(1);
            if steps <= 5 {
                return (steps * step, step);
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// Hour labels for the x axis: `HH`, and `HH*` for the repeated hour of a fall-back day.
fn hour_labels(report: &DailyReport) -> Vec<String> {
    let mut labels: Vec<String> = Vec::with_capacity(report.hourly.len());
    for hour in &report.hourly {
        let hh = hour.label.get(..2).unwrap_or(&hour.label).to_string();
        if labels.iter().any(|seen| seen.trim_end_matches('*') == hh) {
            labels.push(format!("{hh}*"));
        } else {
            labels.push(hh);
        }
    }
    labels
}

/// Draws one hourly chart of a day's report as a standalone SVG document.
pub fn hourly_chart_svg(report: &DailyReport, which: HourlyChart) -> String {
    let n = report.hourly.len().max(1);
    let slot = PLOT_W / n as f64;
    let labels = hour_labels(report);
    let repeated = labels.iter().any(|l| l.ends_with('*'));
    let id = match which {
        HourlyChart::ArrivalsAndCalls => "pq-arrivals-calls",
        HourlyChart::QueueLength => "pq-queue-length",
    };
    let place = format!("{} ({}), {}", report.port_name, report.port, report.date);
    let busiest = |values: &[u32]| -> String {
        match values
            .iter()
            .enumerate()
            .max_by_key(|(i, v)| (**v, usize::MAX - i))
        {
            Some((i, v)) if *v > 0 => format!("{} ({v})", report.hourly[i].label),
            _ => "none".to_string(),
        }
    };

    let arrivals: Vec<u32> = report.hourly.iter().map(|h| h.arrivals).collect();
    let calls: Vec<u32> = report.hourly.iter().map(|h| h.calls).collect();
    let queue: Vec<u32> = report.hourly.iter().map(|h| h.queue_length).collect();
    let (title, y_title, mut desc, max) = match which {
        HourlyChart::ArrivalsAndCalls => (
            format!("Arrivals and calls per hour, {place}"),
            "Parties",
            format!(
                "Bar chart, two bars for each of the {} port-local hours: parties that arrived \
                 (walk-ins registered and appointments checked in; hatched bars) and parties \
                 called to a counter (solid bars). Total arrivals {}, total calls {}. Busiest \
                 hour for arrivals: {}; for calls: {}.",
                report.hourly.len(),
                arrivals.iter().sum::<u32>(),
                calls.iter().sum::<u32>(),
                busiest(&arrivals),
                busiest(&calls),
            ),
            arrivals.iter().chain(&calls).copied().max().unwrap_or(0),
        ),
        HourlyChart::QueueLength => (
            format!("Queue length at the end of each hour, {place}"),
            "Parties waiting",
            format!(
                "Line chart with a round marker for each of the {} port-local hours: parties \
                 waiting to be called at the end of the hour. Longest queue: {}. Waiting at \
                 the end of the day: {}.",
                report.hourly.len(),
                busiest(&queue),
                queue.last().copied().unwrap_or(0),
            ),
            queue.iter().copied().max().unwrap_or(0),
        ),
    };
    if repeated {
        desc.push_str(
            " Clocks went back this day: the hour marked * is the second one with that number.",
        );
    }
    let (top, step) = axis_scale(max);
    let y = |v: u32| TOP + PLOT_H - f64::from(v) / f64::from(top) * PLOT_H;
    let center = |i: usize| LEFT + slot * (i as f64 + 0.5);

    let mut svg = String::with_capacity(8_192);
    svg.push_str(&format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif" font-size="12">
<title id="{id}-title">{}</title>
<desc id="{id}-desc">{}</desc>
<defs><pattern id="{id}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="white"/><line x1="0" y1="0" x2="0" y2="6" stroke="black" stroke-width="2.5"/></pattern></defs>
<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>
<text class="chart-title" x="{LEFT}" y="28" font-size="16" font-weight="bold">{}</text>
"#,
        esc(&title),
        esc(&desc),
        esc(&title),
    ));

    // Grid and y axis: dashed grey lines, so they recede in print.
    let mut tick = 0;
    while tick <= top {
        svg.push_str(&format!(
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#888" stroke-dasharray="3 3"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{tick}</text>
"##,
            LEFT + PLOT_W,
            LEFT - 6.0,
            y(tick) + 4.0,
            y = y(tick),
        ));
        tick += step;
    }
    svg.push_str(&format!(
        r#"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{b}" stroke="black"/><line x1="{LEFT}" y1="{b}" x2="{r}" y2="{b}" stroke="black"/>
"#,
        b = TOP + PLOT_H,
        r = LEFT + PLOT_W,
    ));

    match which {
        HourlyChart::ArrivalsAndCalls => {
            let bar_w = slot * 0.38;
            for (i, hour) in report.hourly.iter().enumerate() {
                for (class, x, value, fill, what) in [
                    (
                        "arrivals",
                        center(i) - bar_w - 1.0,
                        hour.arrivals,
                        format!("url(#{id}-hatch)"),
                        "arrivals",
                    ),
                    (
                        "calls",
                        center(i) + 1.0,
                        hour.calls,
                        "#222".to_string(),
                        "calls",
                    ),
                ] {
                    svg.push_str(&format!(
                        r#"<rect class="bar {class}" x="{x:.1}" y="{:.1}" width="{bar_w:.1}" height="{:.1}" fill="{fill}" stroke="black"><title>{}: {value} {what}</title></rect>
"#,
                        y(value),
                        TOP + PLOT_H - y(value),
                        esc(&hour.label),
                    ));
                }
            }
        }
        HourlyChart::QueueLength => {
            let points: Vec<String> = queue
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{:.1},{:.1}", center(i), y(*v)))
                .collect();
            svg.push_str(&format!(
                r#"<polyline class="line" points="{}" fill="none" stroke="black" stroke-width="2"/>
"#,
                points.join(" ")
            ));
            for (i, hour) in report.hourly.iter().enumerate() {
                svg.push_str(&format!(
                    r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="3.5" fill="white" stroke="black" stroke-width="2"><title>end of {}: {} waiting</title></circle>
"#,
                    center(i),
                    y(hour.queue_length),
                    esc(&hour.label),
                    hour.queue_length,
                ));
            }
        }
    }

    for (i, label) in labels.iter().enumerate() {
        svg.push_str(&format!(
            r#"<text class="hour" x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>
"#,
            center(i),
            TOP + PLOT_H + 16.0,
            esc(label),
        ));
    }
    svg.push_str(&format!(
        r#"<text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="middle">Hour of the day (port-local time, {})</text>
<text class="axis-label" transform="rotate(-90)" x="{:.1}" y="18" text-anchor="middle">{y_title}</text>
"#,
        LEFT + PLOT_W / 2.0,
        TOP + PLOT_H + 38.0,
        esc(&report.time_zone),
        -(TOP + PLOT_H / 2.0),
    ));

    // Legend: the same pattern and marker as the data, with words.
    let legend_y = HEIGHT - 30.0;
    match which {
        HourlyChart::ArrivalsAndCalls => svg.push_str(&format!(
            r##"<g class="legend"><rect x="{LEFT}" y="{ly:.1}" width="14" height="14" fill="url(#{id}-hatch)" stroke="black"/><text x="{:.1}" y="{ty:.1}">Arrivals (parties registered or checked in)</text><rect x="{:.1}" y="{ly:.1}" width="14" height="14" fill="#222" stroke="black"/><text x="{:.1}" y="{ty:.1}">Calls to a counter</text></g>
"##,
            LEFT + 20.0,
            LEFT + 330.0,
            LEFT + 350.0,
            ly = legend_y - 11.0,
            ty = legend_y,
        )),
        HourlyChart::QueueLength => svg.push_str(&format!(
            r#"<g class="legend"><line x1="{LEFT}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="black" stroke-width="2"/><circle cx="{:.1}" cy="{ly:.1}" r="3.5" fill="white" stroke="black" stroke-width="2"/><text x="{:.1}" y="{ty:.1}">Parties waiting to be called at the end of the hour</text></g>
"#,
            LEFT + 24.0,
            LEFT + 12.0,
            LEFT + 32.0,
            ly = legend_y - 4.0,
            ty = legend_y,
        )),
    }
    if repeated {
        svg.push_str(&format!(
            r#"<text class="note" x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">* second hour with that number (clocks went back)</text>
"#,
            LEFT + PLOT_W,
            legend_y + 20.0,
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_scale_is_round_and_covers_the_maximum() {
        assert_eq!(axis_scale(0), (1, 1));
        assert_eq!(axis_scale(4), (4, 1));
        assert_eq!(axis_scale(7), (8, 2));
        assert_eq!(axis_scale(23), (25, 5));
        assert_eq!(axis_scale(130), (150, 50));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc(r#"<a & "b">"#), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
