//! What the Tau tests share: the Rust code generated from `tau/demo.tau` (by the build
//! script), an implementation of its `Calculator` to serve, and the checks a proxy runs
//! against any agent of it, in Rust or in Rho.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use lang_tau::convert::Bytes;
use lang_tau::net::{CallError, Options};
use lang_tau::wire::RemoteError;
use tokio::net::TcpListener;

pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/demo.rs"));
}

pub use generated::demo::shapes::Polygon;
pub use generated::demo::{Calculator, CalculatorAgent, CalculatorEvents, CalculatorProxy, Mode, Point};

/// The implementation the agent serves.
pub struct Calc {
    history: Mutex<Vec<i64>>,
    label: Mutex<String>,
    mode: Mutex<Mode>,
    events: CalculatorEvents,
}

impl Calculator for Calc {
    async fn add(&self, a: f64, b: f64) -> Result<f64, RemoteError> {
        let sum = a + b;
        if sum > 1e9 {
            self.events.overflow(format!("{sum} is too large"));
            return Err(RemoteError::new("overflow", "the sum is over the limit"));
        }
        self.history.lock().unwrap().push(sum as i64);
        Ok(sum)
    }

    async fn midpoint(&self, a: Point, b: Point) -> Result<Point, RemoteError> {
        let to = Point { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
        self.events.moved(to.clone(), 1);
        Ok(to)
    }

    async fn history(&self) -> Result<Vec<i64>, RemoteError> {
        Ok(self.history.lock().unwrap().clone())
    }

    async fn clear(&self) -> Result<(), RemoteError> {
        self.history.lock().unwrap().clear();
        Ok(())
    }

    async fn mirror(&self, shape: Polygon) -> Result<Polygon, RemoteError> {
        let mut shape = shape;
        for p in &mut shape.corners {
            p.x = -p.x;
        }
        shape.name.push_str(" (mirrored)");
        Ok(shape)
    }

    async fn group(&self, words: Vec<String>) -> Result<std::collections::BTreeMap<i64, Vec<String>>, RemoteError> {
        let mut groups = std::collections::BTreeMap::new();
        for w in words {
            groups.entry(w.chars().count() as i64).or_insert_with(Vec::new).push(w);
        }
        Ok(groups)
    }

    async fn check(&self, value: i64) -> Result<bool, RemoteError> {
        if value < 0 {
            let mut error = RemoteError::new("user", format!("{value} is negative"));
            error.trace.push("Calc.check".to_string());
            return Err(error);
        }
        Ok(value % 2 == 0)
    }

    async fn slow(&self, seconds: f64) -> Result<f64, RemoteError> {
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        Ok(seconds)
    }

    async fn label(&self) -> Result<String, RemoteError> {
        Ok(self.label.lock().unwrap().clone())
    }

    async fn set_label(&self, value: String) -> Result<(), RemoteError> {
        *self.label.lock().unwrap() = value;
        Ok(())
    }

    async fn mode(&self) -> Result<Mode, RemoteError> {
        Ok(*self.mode.lock().unwrap())
    }

    async fn set_mode(&self, value: Mode) -> Result<(), RemoteError> {
        *self.mode.lock().unwrap() = value;
        Ok(())
    }
}

/// Starts an agent on a free loopback port, on the current runtime.
pub async fn start(options: Options) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let agent = CalculatorAgent::new(options);
    let events = agent.events();
    let calc = Calc {
        history: Mutex::new(Vec::new()),
        label: Mutex::new("calc".into()),
        mode: Mutex::new(Mode::Fast),
        events,
    };
    tokio::spawn(agent.serve(listener, calc));
    addr
}

pub fn quick() -> Options {
    Options {
        call_timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_millis(500),
        ..Options::default()
    }
}

/// Calls every method and property of a `Calculator` agent, every kind of type both ways,
/// and checks the results. The agent starts with the label "calc", the mode `Fast` and an
/// empty history.
pub async fn exercise(calc: &CalculatorProxy) {
    assert_eq!(calc.add(1.5, 2.25).await.unwrap(), 3.75);
    assert_eq!(calc.add(10.0, 4.0).await.unwrap(), 14.0);
    assert_eq!(calc.history().await.unwrap(), vec![3, 14]);
    calc.clear().await.unwrap();
    assert_eq!(calc.history().await.unwrap(), Vec::<i64>::new());
    let mid = calc.midpoint(Point { x: 0.0, y: 0.0 }, Point { x: 4.0, y: -2.0 }).await.unwrap();
    assert_eq!(mid, Point { x: 2.0, y: -1.0 });
    assert!(calc.check(4).await.unwrap());
    assert!(!calc.check(7).await.unwrap());

    let hole = Polygon {
        name: "hole".into(),
        corners: vec![],
        mode: Mode::Fast,
        tags: Default::default(),
        data: Bytes(vec![]),
        holes: vec![],
    };
    let shape = Polygon {
        name: "triangle ✓".into(),
        corners: vec![Point { x: 1.0, y: 0.0 }, Point { x: 0.0, y: 1.0 }, Point { x: -2.5, y: 0.0 }],
        mode: Mode::Precise,
        tags: [("sides".to_string(), 3), ("holes".to_string(), 1)].into_iter().collect(),
        data: Bytes(vec![0, 1, 2, 255]),
        holes: vec![hole.clone()],
    };
    let mirrored = calc.mirror(shape.clone()).await.unwrap();
    assert_eq!(mirrored.name, "triangle ✓ (mirrored)");
    assert_eq!(mirrored.corners[2], Point { x: 2.5, y: 0.0 });
    assert_eq!((mirrored.mode, mirrored.tags.clone(), mirrored.holes.clone()), (Mode::Precise, shape.tags, vec![hole]));
    assert_eq!(mirrored.data, Bytes(vec![0, 1, 2, 255]));

    let groups = calc.group(vec!["a".into(), "bb".into(), "cc".into(), "ddd".into()]).await.unwrap();
    assert_eq!(groups[&2], vec!["bb".to_string(), "cc".to_string()]);
    assert_eq!(groups.len(), 3);

    assert_eq!(calc.label().await.unwrap(), "calc");
    calc.set_label("renamed".into()).await.unwrap();
    assert_eq!(calc.label().await.unwrap(), "renamed");
    assert_eq!(calc.mode().await.unwrap(), Mode::Fast);
    calc.set_mode(Mode::Precise).await.unwrap();
    assert_eq!(calc.mode().await.unwrap(), Mode::Precise);
    let CallError::Remote(error) = calc.check(-3).await.unwrap_err() else { panic!("a remote error") };
    assert_eq!((error.kind.as_str(), error.message.as_str()), ("user", "-3 is negative"));
    let CallError::Remote(error) = calc.add(1e9, 1.0).await.unwrap_err() else { panic!("a remote error") };
    assert_eq!((error.kind.as_str(), error.message.as_str()), ("overflow", "the sum is over the limit"));
}
