//! Hostile `$filter` input: the parser runs inside the test process, where a stack overflow
//! would abort every test, so huge flat chains must parse without recursion, nesting deeper
//! than the documented limit (100 levels of parentheses, `not` and function calls) must be
//! refused with a positioned error, and long input must cost linear time.

mod common;

use std::time::{Duration, Instant};

use acumatica_emulator::Config;
use acumatica_emulator::filter::{Dialect, EvalOptions, Expr, eval, parse, parse_with};
use common::{base, call, login, start};
use serde_json::json;

/// Runs `f` on a thread with a 256 KiB stack, far less than the 2 MiB of test and tokio
/// threads: whatever runs there cannot recurse in proportion to its input.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread finished (no stack overflow, no panic)")
}

/// The start of an answer, for assertion messages (refusals quote the whole filter).
fn short(body: &serde_json::Value) -> String {
    body.to_string().chars().take(300).collect()
}

/// `CustomerID eq 'x0' or CustomerID eq 'x1' or ...`, `n` terms.
fn ored(n: usize) -> String {
    (0..n)
        .map(|i| format!("CustomerID eq 'x{i}'"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Generous bound for a linear pass over the input in a debug build on a loaded 2-core
/// machine; a quadratic pass over 100,000 terms would take orders of magnitude longer.
const LINEAR: Duration = Duration::from_secs(20);

#[test]
fn a_hundred_thousand_ored_terms_parse_evaluate_and_print_flat() {
    let text = ored(100_000);
    let (elapsed, items, matched, printed_back) = on_small_stack(move || {
        let started = Instant::now();
        let expr = parse(&text).expect("parses");
        let items = match &expr {
            Expr::Or(items) => items.len(),
            other => panic!(
                "expected one flat Or, got {:?}",
                std::mem::discriminant(other)
            ),
        };
        let last = json!({"CustomerID": {"value": "x99999"}});
        let none = json!({"CustomerID": {"value": "nobody"}});
        let opts = EvalOptions::default();
        let matched = (
            eval(&expr, &last, &opts).expect("evaluates"),
            eval(&expr, &none, &opts).expect("evaluates"),
        );
        let printed = expr.to_string();
        let printed_back = parse(&printed).expect("the printed form parses") == expr;
        drop(expr);
        (started.elapsed(), items, matched, printed_back)
    });
    assert_eq!(items, 100_000);
    assert_eq!(matched, (true, false));
    assert!(printed_back);
    assert!(elapsed < LINEAR, "took {elapsed:?}");
}

#[test]
fn a_hundred_thousand_anded_terms_and_mixed_chains_stay_flat() {
    let anded = (0..100_000)
        .map(|i| format!("CreditLimit gt {i}M"))
        .collect::<Vec<_>>()
        .join(" and ");
    // `a and b or c and d or ...`: alternating operators, still one level deep.
    let mut mixed = String::new();
    for i in 0..100_000 {
        if i > 0 {
            mixed.push_str(if i % 2 == 0 { " or " } else { " and " });
        }
        if i % 3 == 0 {
            mixed.push_str(&format!("startswith(B, 'p{i}')"));
        } else {
            mixed.push_str(&format!("A eq {i}"));
        }
    }
    let v4 = (0..100_000)
        .map(|i| format!("contains(Name, 'n{i}')"))
        .collect::<Vec<_>>()
        .join(" or ");
    let (and_items, mixed_ok, v4_items) = on_small_stack(move || {
        let and_items = match parse(&anded).expect("parses") {
            Expr::And(items) => items.len(),
            _ => 0,
        };
        let mixed_ok = match parse(&mixed).expect("parses") {
            Expr::Or(items) => items.len() == 50_000,
            _ => false,
        };
        let v4_items = match parse_with(&v4, Dialect::V4).expect("parses") {
            Expr::Or(items) => items.len(),
            _ => 0,
        };
        (and_items, mixed_ok, v4_items)
    });
    assert_eq!(and_items, 100_000);
    assert!(mixed_ok);
    assert_eq!(v4_items, 100_000);
}

#[test]
fn a_hundred_thousand_parentheses_are_refused_at_the_limit() {
    let n = 100_000;
    let deep = format!("{}A eq 1{}", "(".repeat(n), ")".repeat(n));
    let started = Instant::now();
    let err = parse(&deep).expect_err("too deep");
    assert!(started.elapsed() < LINEAR);
    // The 101st `(` is at index 100.
    assert_eq!(err.position, 100, "{err}");
    assert!(err.message.contains("nested too deeply"), "{err}");
    assert!(err.message.contains("100 levels"), "{err}");

    // Exactly at the limit it parses; one more level is refused.
    let at_limit = format!("{}A eq 1{}", "(".repeat(100), ")".repeat(100));
    assert!(parse(&at_limit).is_ok());
    let over = format!("{}A eq 1{}", "(".repeat(101), ")".repeat(101));
    assert_eq!(parse(&over).expect_err("101 levels").position, 100);

    // Unbalanced: only opening parentheses.
    assert_eq!(parse(&"(".repeat(n)).expect_err("unbalanced").position, 100);
}

#[test]
fn a_hundred_thousand_nots_and_nested_calls_are_refused_at_the_limit() {
    let nots = format!("{}A eq 1", "not ".repeat(100_000));
    let err = parse(&nots).expect_err("too deep");
    // The 101st `not` starts at char 400.
    assert_eq!(err.position, 400, "{err}");
    assert!(err.message.contains("nested too deeply"), "{err}");

    let mixed = format!("{}A eq 1", "not (".repeat(100_000));
    let err = parse(&mixed).expect_err("too deep");
    assert!(err.message.contains("nested too deeply"), "{err}");
    assert_eq!(err.position, 5 * 50, "{err}");

    // Function calls nest through their arguments.
    let calls = format!("{}A", "startswith(".repeat(100_000));
    let err = parse(&calls).expect_err("too deep");
    assert!(err.message.contains("nested too deeply"), "{err}");

    // `not` binds tighter than comparisons, so it takes a function (one more level) here:
    // 99 nots and a call are 100 levels, 100 nots and a call one too many.
    let at_limit = format!("{}startswith(A, 'x')", "not ".repeat(99));
    assert!(parse(&at_limit).is_ok());
    let over = format!("{}startswith(A, 'x')", "not ".repeat(100));
    let err = parse(&over).expect_err("101 levels");
    assert_eq!(err.position, 400 + "startswith".len(), "{err}");
}

#[test]
fn long_input_costs_linear_time() {
    // Many shapes of long input, each about a megabyte: none may take quadratic time.
    let long_string = format!("A eq '{}'", "x".repeat(1_000_000));
    let quotes = format!("A eq '{}'", "''".repeat(500_000));
    let unterminated = format!("A eq '{}", "x".repeat(1_000_000));
    let long_path = format!("{} eq 1", vec!["A"; 500_000].join("/"));
    let long_number = format!("A eq {}", "9".repeat(1_000_000));
    let spaces = format!("A{}eq 1", " ".repeat(1_000_000));
    let bad_at_end = format!("{} or", ored(50_000));
    let typed = format!("A eq datetimeoffset'{}", "1".repeat(1_000_000));
    let cases = [
        long_string,
        quotes,
        unterminated,
        long_path,
        long_number,
        spaces,
        bad_at_end,
        typed,
    ];
    let started = Instant::now();
    let outcomes = on_small_stack(move || {
        cases
            .iter()
            .map(|c| {
                let one = Instant::now();
                let outcome = parse(c).map(|_| ()).map_err(|e| e.to_string().len());
                (outcome, one.elapsed())
            })
            .collect::<Vec<_>>()
    });
    for (i, (_, took)) in outcomes.iter().enumerate() {
        assert!(*took < LINEAR, "case {i} took {took:?}");
    }
    assert!(outcomes[0].0.is_ok() && outcomes[1].0.is_ok() && outcomes[3].0.is_ok());
    assert!(outcomes[2].0.is_err() && outcomes[6].0.is_err() && outcomes[7].0.is_err());
    // Error messages quote a shortened excerpt, not the whole megabyte.
    for (i, (outcome, _)) in outcomes.iter().enumerate() {
        if let Err(len) = outcome {
            assert!(*len < 1_000, "case {i}: a {len}-byte error message");
        }
    }
    assert!(started.elapsed() < LINEAR * 2);
}

#[test]
fn trees_at_the_depth_limit_evaluate_print_and_drop_on_a_small_stack() {
    // `A eq 0 or (A eq 1 or (A eq 2 or ...))`: an Or nested 100 deep.
    let mut nested_or = String::from("A eq 100");
    for i in (0..100).rev() {
        nested_or = format!("A eq {i} or ({nested_or})");
    }
    let nested_not = format!("{}startswith(B, 'x')", "not ".repeat(99));
    let nested_mixed = {
        let mut text = String::from("startswith(B, 'x')");
        // 49 × (`not` and `(`) and the call: 99 levels.
        for i in 0..49 {
            text = format!("not (A eq {i} and {text})");
        }
        text
    };
    let results = on_small_stack(move || {
        [nested_or, nested_not, nested_mixed]
            .iter()
            .map(|text| {
                let expr = parse(text).expect("at the limit parses");
                let record = json!({"A": {"value": 100}, "B": {"value": "xyz"}});
                let matched = eval(&expr, &record, &EvalOptions::default()).expect("evaluates");
                let printed = expr.to_string();
                let same = parse(&printed).expect("the printed form parses") == expr;
                let fields = expr.fields().len();
                let copy = expr.clone();
                drop(expr);
                drop(copy);
                (matched, same, fields)
            })
            .collect::<Vec<_>>()
    });
    assert_eq!(results[0], (true, true, 101));
    // 99 nots: an odd number, so not startswith(B, 'x'), false for B = 'xyz'.
    assert_eq!(results[1], (false, true, 1));
    // Every `A eq i` is false for A = 100, so every level is `not (false and ...)`: true.
    assert_eq!(results[2], (true, true, 50));
}

#[tokio::test]
async fn the_list_route_refuses_deep_filters_with_the_filter_error() {
    let emu = start(Config {
        filter_error_status: 400,
        ..Config::default()
    })
    .await;
    let c = login(&emu).await;
    let b = base(&emu);
    let get = |filter: String| c.get(format!("{b}/Customer")).query(&[("$filter", filter)]);

    let deep = format!("{}CustomerID eq 'C001'{}", "(".repeat(101), ")".repeat(101));
    let (status, body) = call(get(deep)).await;
    assert_eq!(status, 400, "{}", short(&body));
    let message = body["exceptionMessage"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Syntax error at position 100 in '"),
        "{}",
        short(&body)
    );
    assert!(message.contains("nested too deeply"), "{}", short(&body));
    assert_eq!(body["exceptionType"], "Microsoft.Data.OData.ODataException");

    let (status, body) = call(get(format!(
        "{}CustomerID eq 'C001'",
        "not ".repeat(10_000)
    )))
    .await;
    assert_eq!(status, 400, "{}", short(&body));
    let message = body["exceptionMessage"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Syntax error at position 400 in '"),
        "{}",
        short(&body)
    );

    // At the limit the filter works.
    let ok = format!("{}CustomerID eq 'C001'{}", "(".repeat(100), ")".repeat(100));
    let (status, body) = call(get(ok)).await;
    assert_eq!(status, 200, "{}", short(&body));
    assert_eq!(body.as_array().map(Vec::len), Some(1));

    // A long flat chain that still fits in a URL (hyper refuses longer request lines).
    let chain = format!(
        "{} or CustomerID eq 'C002' or CustomerID eq 'C005'",
        (0..2_000)
            .map(|i| format!("CustomerID eq 'Z{i}'"))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let (status, body) = call(get(chain)).await;
    assert_eq!(status, 200, "{}", short(&body));
    let ids: Vec<&str> = body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["CustomerID"]["value"].as_str())
        .collect();
    assert_eq!(ids, ["C002", "C005"]);
}

#[tokio::test]
async fn a_filter_longer_than_a_url_can_be_is_refused_and_the_emulator_keeps_serving() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    // reqwest (the `http` crate) cannot even build a URI over 64 KiB, so send it by hand.
    let addr = emu.url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let target = format!(
        "/entity/Default/24.200.001/Customer?$filter={}",
        ored(100_000).replace(' ', "%20")
    );
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    // The server may answer and close before reading everything: a write error is fine.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        (&mut stream).take(64 * 1024).read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the server answered or closed within 10 s");
    let head = String::from_utf8_lossy(&answer);
    assert!(
        head.is_empty()
            || ["414", "431", "400"]
                .iter()
                .any(|s| head.starts_with(&format!("HTTP/1.1 {s}"))),
        "hyper refuses the request line (431 today): {}",
        head.chars().take(200).collect::<String>()
    );
    let (status, body) = call(
        c.get(format!("{b}/Customer"))
            .query(&[("$filter", "CustomerID eq 'C001'")]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.as_array().map(Vec::len), Some(1));
}
