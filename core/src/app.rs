//! One run of the analyzer, set up and torn down: output prefix and streams, input, plugins,
//! the engine and its reports, then the end (core.md §2-§3, §7, §9). The packet loop itself is
//! [`Pipeline::run`].

use std::cell::RefCell;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use plugin_api::abi::{CoreConfig, InitCtx, PluginId, RStr, Timestamp};
use plugin_api::fmt::escaped;

use crate::capture::feed::{Feed, Single};
use crate::capture::{self, LiveCapture, PacketSource};
use crate::cli::{self, Input, Options};
use crate::dispatch::{self, HostShared, ListMode, PluginSet};
use crate::error::Error;
use crate::flow::FlowTable;
use crate::log::{Log, Stream};
use crate::output::columns::ColumnList;
use crate::output::streams::Streams;
use crate::pipeline::{self, PcapTrigger, Pipeline, Settings, Stop};
use crate::progress::{self, Progress};
use crate::report::end::{self, InputStats};
use crate::report::monitor::{InputInfo, Monitor, MonitorConfig};
use crate::report::sys;
use crate::time::{Date, Span, now, since, sub};
use crate::{flags, process, signals};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Normal end.
    Done,
    /// The run stopped because a plugin failed or memory ran out; everything up to then was
    /// written.
    Failed,
    /// The run ended but an output stream could not be written (already reported).
    OutputFailed,
}

/// The output prefix (T2's `baseFileName`, core.md §2.1), byte for byte as the names it
/// comes from.
pub fn output_prefix(output: Option<&OsStr>, input: &Input) -> Result<OsString, Error> {
    let series;
    let cap: &[u8] = match input {
        Input::Stdin => b"-",
        Input::File(p) | Input::List(p) => p.as_os_str().as_bytes(),
        Input::Series(e) => {
            series = capture::series::Spec::parse(e).map_or_else(|| e.clone(), |s| s.expr);
            series.as_bytes()
        }
        Input::Interface(i) => i.as_bytes(),
    };
    let iface = matches!(input, Input::Interface(_));
    let os = |b: &[u8]| OsStr::from_bytes(b).to_owned();
    let Some(out) = output.filter(|o| *o != "-").map(OsStrExt::as_bytes) else {
        return Ok(if cap == b"-" {
            "stdin".into()
        } else if iface {
            os(cap)
        } else {
            match cap.iter().rposition(|&b| b == b'.') {
                Some(i) => os(&cap[..i]),
                None => os(cap),
            }
        });
    };
    if let Some(slash) = out.iter().rposition(|&b| b == b'/')
        && slash > 0
    {
        let dir = Path::new(OsStr::from_bytes(&out[..slash]));
        std::fs::create_dir_all(dir).map_err(|e| Error::CreateDir { dir: dir.to_owned(), reason: e })?;
    }
    if !Path::new(OsStr::from_bytes(out)).is_dir() {
        return Ok(os(out));
    }
    let base = match cap.iter().rposition(|&b| b == b'/') {
        Some(i) => &cap[i + 1..],
        None if cap == b"-" => b"stdin",
        None => cap,
    };
    let base = match base.iter().rposition(|&b| b == b'.') {
        Some(i) if !iface => &base[..i],
        _ => base,
    };
    let mut prefix = os(out);
    if !out.ends_with(b"/") {
        prefix.push("/");
    }
    prefix.push(OsStr::from_bytes(base));
    Ok(prefix)
}

/// The plugin folder, ending with `/`.
fn plugin_folder(o: &Options) -> Result<OsString, Error> {
    let mut dir = match &o.plugin_folder {
        Some(p) => p.clone().into_os_string(),
        None => {
            let mut home = std::env::var_os("HOME").ok_or(Error::NoHome)?;
            home.push("/.tranalyzer/plugins/");
            home
        }
    };
    if !dir.as_bytes().ends_with(b"/") {
        dir.push("/");
    }
    Ok(dir)
}

/// The file `<prefix><suffix>`.
fn with_suffix(prefix: &OsStr, suffix: &str) -> PathBuf {
    let mut path = prefix.to_owned();
    path.push(suffix);
    path.into()
}

/// `L2, IPv4, IPv6`: what flows are created (the "Creating flows for" line).
fn core_line() -> String {
    let mut s = String::new();
    if flags::ETH_ACTIVATE > 0 {
        s.push_str("L2, ");
    }
    s.push_str("IPv4, IPv6");
    s
}

/// Creates the output file `<prefix><suffix>`.
fn open_file(prefix: &OsStr, suffix: &str) -> Result<Stream, Error> {
    let path = with_suffix(prefix, suffix);
    match File::create(&path) {
        Ok(f) => Ok(Stream::file(f, &path)),
        Err(e) => Err(Error::CreateFile { path, reason: e }),
    }
}

/// `RStr` of a string's bytes (names keep theirs).
fn rstr(s: &(impl AsRef<[u8]> + ?Sized)) -> RStr {
    let s = s.as_ref();
    RStr { ptr: s.as_ptr(), len: s.len() }
}

/// Runs the analyzer with `o`.
pub fn run(o: Options) -> Result<Outcome, Error> {
    let start = Instant::now();
    let start_wall = now();
    let input = o.input.clone().ok_or(Error::NoInput)?;
    if let Some(prio) = o.priority {
        // as T2: checked and set while the options are read, before any output exists
        let prio = process::check_priority(prio, process::is_root()).map_err(|m| Error::Args(cli::ArgError(m)))?;
        process::set_priority(prio).map_err(|e| {
            Error::Setup(format!("Failed to set priority to {prio}: {}", plugin_api::fmt::strerror(&e)))
        })?;
    }
    let to_stdout = o.output.as_deref().is_some_and(|w| w == "-");
    let prefix = output_prefix(o.output.as_deref(), &input)?;
    let log_file = o.log_file || to_stdout;
    let mon_file = o.mon_file || to_stdout;
    let verbose = flags::VERBOSE;
    let log = if log_file {
        Log::new(open_file(&prefix, "_log.txt")?, false)
    } else if verbose == 0 {
        Log::sink()
    } else {
        Log::stdout()
    };
    let mon = if mon_file { Log::new(open_file(&prefix, "_monitoring.txt")?, false) } else { Log::stdout() };
    let streams = Rc::new(Streams::new(log, mon));
    let log = &streams.log;
    let sensor_id = o.sensor_id.unwrap_or(flags::T2_SENSORID);
    if verbose > 0 && process::is_root() && !matches!(input, Input::Interface(_)) {
        log.borrow_mut().warn("Running Tranalyzer as root on a pcap is not recommended");
    }
    let cpu = o.cpu.map(|c| bind_cpu(c, &mut log.borrow_mut()));
    let nice = sys::nice();
    if verbose > 0 {
        let mut l = log.borrow_mut();
        let bar = "=".repeat(80);
        l.line(&bar);
        let cpu = cpu.flatten().map_or_else(String::new, |c| format!(", CPU: {c}"));
        l.line(format_args!(
            "{} ({}), {}. PID: {}, Prio: {nice}, SID: {sensor_id}{cpu}",
            cli::APP_STRING,
            cli::CODENAME,
            cli::RELEASE,
            std::process::id()
        ));
        l.line(&bar);
        l.line(format_args!("Date: {}", start_date(start_wall)));
        l.info(&format!("Creating flows for {}", core_line()));
    }

    let threads = o.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX))
    });
    let run = Run { o: &o, prefix: &prefix, streams: &streams, start, start_wall, to_stdout, threads };
    let result = match &input {
        Input::File(path) => {
            let reader = capture::open_file(path).inspect_err(|e| pcapng_warning(log, e.warned_pcapng()))?;
            if reader.format() == capture::CaptureFormat::PcapNg && verbose > 1 {
                pcapng_warning(log, true);
            }
            run.read(reader, &mut Single, &escaped(&path).to_string())
        }
        Input::Stdin => run.read(capture::open_stdin()?, &mut Single, "-"),
        Input::List(path) => {
            let mut list = capture::list::List::read(path, log).map_err(Error::Input)?;
            let reader = list.open_first()?;
            let name = list.current();
            run.read(reader, &mut list, &name)
        }
        Input::Series(arg) => {
            // checked by the option parser already
            let bad = || Error::Input("Option '-D': Invalid format, expected 'expr[:schr][,stop]'".to_owned());
            let spec = capture::series::Spec::parse(arg).ok_or_else(bad)?;
            // as T2: a `.` per poll on the log stream unless it goes to a file
            let mut series = capture::series::Series::new(spec, verbose > 1 && !log_file);
            // before signal handling starts, so an interrupt ends the wait as in T2
            let reader = series.open_first(log);
            let name = series.current();
            run.read(reader, &mut series, &name)
        }
        Input::Interface(iface) => {
            let snaplen = o.snaplen.unwrap_or(flags::SNAPLEN);
            let live = LiveCapture::open(iface, snaplen, o.bufsize.unwrap_or(flags::LIVEBUFSIZE))?;
            if live.precision_failed() {
                let msg = format!("Failed to set timestamp precision to nanoseconds for capture interface '{iface}'");
                log.borrow_mut().warn(&msg);
            }
            run.read(live, &mut Single, iface)
        }
    };
    if mon_file {
        // as T2: an empty monitoring file is removed
        streams.mon.borrow_mut().flush();
        let path = with_suffix(&prefix, "_monitoring.txt");
        if std::fs::metadata(&path).is_ok_and(|m| m.len() == 0) {
            let _ = std::fs::remove_file(&path);
        }
    }
    streams.flush();
    match result {
        Ok(Outcome::Done) if streams.failed() => Ok(Outcome::OutputFailed),
        r => r,
    }
}

fn pcapng_warning(log: &RefCell<Log>, pcapng: bool) {
    if pcapng && flags::VERBOSE > 1 {
        log.borrow_mut().warn(
            "PCAP-NG, so *percentage completed* in end report might be less than 100%, will be fixed in a later version",
        );
    }
}

/// The start date with T2's quirk: a microsecond value printed with nine digits.
fn start_date(t: Timestamp) -> String {
    Date { ts: Timestamp { sec: t.sec, frac: t.frac / 1000 }, utc: false }.to_string()
}

/// `-c`: binds the process and logs the outcome as T2 does; the CPU it now runs on, if bound.
fn bind_cpu(cpu: i64, log: &mut Log) -> Option<i64> {
    let verbose = flags::VERBOSE > 0;
    match process::bind_cpu(cpu) {
        process::Binding::Bound { old, new } => {
            if verbose && new != old {
                log.info(&format!("{} successfully moved from CPU {old} to CPU {new}", cli::APP_NAME));
            } else if verbose {
                log.info(&format!("{} successfully bound to CPU {new}", cli::APP_NAME));
            }
            Some(new)
        }
        process::Binding::Failed { old, wanted } => {
            if verbose {
                log.warn(&format!("Failed to move {} from CPU {old} to CPU {wanted}", cli::APP_NAME));
            }
            None
        }
    }
}

/// What every input mode's run shares: the options, the output prefix and streams, and when
/// the run started.
struct Run<'a> {
    o: &'a Options,
    prefix: &'a OsStr,
    streams: &'a Rc<Streams>,
    start: Instant,
    start_wall: Timestamp,
    to_stdout: bool,
    /// Threads the run may use: `--threads`, else the cores it may run on (after `-c`).
    threads: u32,
}

impl Run<'_> {
    /// Reads `reader` and then every capture `feed` gives, as one stream, through the engine.
    fn read<S: PacketSource>(&self, reader: S, feed: &mut dyn Feed<S>, name: &str) -> Result<Outcome, Error> {
        let o = self.o;
        let bpf = capture::bpf::expression(o.bpf_file.as_deref(), &o.bpf_words).map_err(Error::Input)?;
        let mut input = pipeline::Input::new(reader, feed, bpf, name)?;
        let folder = plugin_folder(o)?;
        let mut p = self.engine(&folder, input.totals().0)?;
        if flags::VERBOSE > 1 {
            input.announce(&mut self.streams.log.borrow_mut(), true);
        }
        let sensor_id = o.sensor_id.unwrap_or(flags::T2_SENSORID);
        let cfg = MonitorConfig::from_flags(sensor_id, Path::new(&folder));
        let info = InputInfo::of(input.source(), input.feed(), input.name(), self.start);
        let mut monitor = Monitor::new(cfg, info);
        monitor.live = input.live_stats();
        monitor.header(&mut p);
        if flags::MONINTTMPCP == 1 {
            p.mon_trigger = Some(PcapTrigger::new(flags::MONINTV));
        }
        let ctl = start_signals(o, &self.streams.log);
        let shown = progress::wanted(o.no_progress, flags::VERBOSE, self.to_stdout);
        let line = if shown { Progress::start(input.meter()) } else { None };
        let read = p.run(&mut input, ctl.as_ref(), &mut monitor);
        // erased before anything else is written
        drop(line);
        if let Err(e) = read {
            p.close();
            return Err(e);
        }
        if let Some(c) = &ctl {
            c.stopping();
        }
        let (size, count) = input.totals();
        let stats = if input.name() == "-" { InputStats::Stream } else { InputStats::Files { size, count } };
        let stats = match input.live_stats() {
            Some(s) => InputStats::Live { recv: s.recv, drop: s.drop, ifdrop: s.ifdrop },
            None => stats,
        };
        Ok(self.finish(&mut p, &mut monitor, stats, ctl.as_ref()))
    }

    /// The plugins of `folder` selected, loaded and initialised, and the engine that drives
    /// them, for an input of `capture_size` bytes.
    fn engine(&self, folder: &OsStr, capture_size: u64) -> Result<Pipeline, Error> {
        let (o, verbose) = (self.o, flags::VERBOSE);
        let list_path = o.plugin_list.clone().unwrap_or_else(|| with_suffix(folder, "plugins.txt"));
        let mode = match flags::USE_PLLIST {
            1 => ListMode::Whitelist,
            2 => ListMode::Blacklist,
            _ => ListMode::None,
        };
        let list = if mode == ListMode::None { None } else { dispatch::read_list(&list_path) };
        let (files, blacklisted) = dispatch::select(Path::new(&folder), list.as_deref(), mode)?;
        let log = &self.streams.log;
        if blacklisted > 0 {
            log.borrow_mut().info(&format!("Blacklisted plugins: {blacklisted}"));
        }
        let shared = HostShared::new(self.streams.clone(), flags::ENVCNTRL > 1);
        let plugins = PluginSet::load(&files, Rc::new(shared))?;
        if plugins.is_empty() {
            if verbose > 0 {
                log.borrow_mut().warn(&format!("No valid plugins found in folder '{}'", escaped(folder)));
            }
        } else if verbose > 1 {
            let mut l = log.borrow_mut();
            l.line("Active plugins:");
            for (i, p) in plugins.plugins().iter().enumerate() {
                l.line(format_args!("    {:02}: {}, {}", i + 1, p.name, p.version));
            }
        }
        let columns = ColumnList::new(plugins.plugins().iter().flat_map(|p| p.columns.iter()));
        if o.packet_mode {
            // T2 creates it after the column list; the plugins append their names from `init`
            let mut w = open_file(self.prefix, "_packets.txt")?;
            crate::output::packets::header_start(&mut w);
            *self.streams.packets.borrow_mut() = Some(w);
        }
        let factor = o.hash_factor.unwrap_or(flags::HASHFACTOR);
        let capacity = flow_capacity(factor)?;
        let settings = Settings {
            flow_timeout: flags::FLOW_TIMEOUT as f32,
            autopilot: flags::HASH_AUTOPILOT == 1,
            autopilot_flows: flags::NUMFLWRM,
            hash_factor: factor,
            l2_flows: flags::ETH_ACTIVATE > 0,
            verbose,
        };
        let mut p = Pipeline::new(capacity, plugins, settings);
        p.capture_size = capture_size;
        // With the real-time monitoring base T2 starts the capture clock at the wall time; the
        // first packet resets it, so only a capture without packets reports a duration against
        // it (a huge, wrapped one, as T2)
        if flags::MONINTTMPCP == 0 {
            p.g.start_time = self.start_wall;
            p.g.start_time0 = self.start_wall;
        }
        self.init_plugins(&mut p, &columns, folder, capacity as u64)?;
        if let Some(w) = self.streams.packets.borrow_mut().as_mut() {
            crate::output::packets::header_end(w);
        }
        if p.plugins.must_stop() {
            return Err(Error::PluginFatal);
        }
        p.add_plugin_timeouts();
        Ok(p)
    }

    /// `t2Init` of every plugin, with what T2 tells them about the run.
    fn init_plugins(&self, p: &mut Pipeline, columns: &ColumnList, folder: &OsStr, capacity: u64) -> Result<(), Error> {
        let o = self.o;
        let config = core_config(o.sensor_id.unwrap_or(flags::T2_SENSORID), capacity);
        let ids: Vec<(String, String)> =
            p.plugins.plugins().iter().map(|p| (p.name.clone(), p.version.clone())).collect();
        let pids: Vec<PluginId> = ids.iter().map(|(n, v)| PluginId { name: rstr(n), version: rstr(v) }).collect();
        let date = start_date(self.start_wall);
        let (core, hw, sw) = (core_line(), sys::hw_info(), capture::live::lib_version());
        let split = o.split.as_ref();
        let ic = InitCtx {
            size: size_of::<InitCtx>() as u32,
            packet_mode: u8::from(o.packet_mode),
            flows_to_stdout: u8::from(self.to_stdout),
            split: u8::from(split.is_some()),
            split_by_flows: u8::from(split.is_some_and(|s| s.by_flows)),
            split_size: split.map_or(0, |s| s.size),
            split_start: split.map_or(0, |s| s.start),
            config: &config,
            prefix: rstr(self.prefix.as_bytes()),
            plugin_folder: rstr(folder.as_bytes()),
            cmdline: rstr(&o.cmdline),
            core_line: rstr(&core),
            hw_info: rstr(&hw),
            sw_info: rstr(&sw),
            headers_extra: rstr(""),
            start_wall: self.start_wall,
            start_date: rstr(&date),
            pid: std::process::id(),
            priority: sys::nice(),
            columns: columns.descs().as_ptr(),
            num_columns: columns.descs().len(),
            plugins: pids.as_ptr(),
            num_plugins: pids.len(),
            pcapd_file: rstr(o.pcapd.as_deref().map_or(&[][..], |p| p.as_os_str().as_bytes())),
            threads: self.threads,
        };
        p.plugins.init(&ic).map_err(Error::Plugin)
    }

    /// T2's `terminate`: last log lines, flush of every flow (until a SIGINT at run level 1
    /// stops it), end report, finalize.
    fn finish(
        &self,
        p: &mut Pipeline,
        monitor: &mut Monitor,
        stats: InputStats,
        ctl: Option<&signals::Control>,
    ) -> Outcome {
        let verbose = flags::VERBOSE;
        if verbose > 0 {
            let mut l = self.streams.log.borrow_mut();
            l.line(format_args!("Dump stop : {}", Date { ts: p.g.act_time, utc: true }));
            l.line(format_args!("Total dump duration: {}", Span(sub(p.g.act_time, p.g.start_time))));
            // T2's line, with the threads the run could use after it (a line of its own would
            // differ from T2's reports; this one varies from run to run anyway)
            let (elapsed, threads) = (Span(since(self.start)), self.threads);
            l.line(format_args!("Finished processing. Elapsed time: {elapsed}, threads: {threads}"));
        }
        p.end_flows(ctl);
        monitor.end(p);
        if verbose > 0 {
            end::print(p, stats, since(self.start), flags::PLUGIN_REPORT == 1);
        }
        p.close();
        // a full table without the autopilot and the drained flow table are normal ends, as in T2
        match p.stop() {
            Some(Stop::Plugin | Stop::OutOfMemory | Stop::Terminated) => Outcome::Failed,
            _ => Outcome::Done,
        }
    }
}

/// The flow table's size for hash factor `factor`, or why a run cannot honour it.
fn flow_capacity(factor: u32) -> Result<usize, Error> {
    let base = flags::HASHCHAINTABLE_BASE_SIZE as usize;
    let max = FlowTable::MAX_CAPACITY / base;
    if factor as usize > max {
        let msg = format!(
            "Option '-f': Hash factor {factor} is too large: at most {max} ({max} × {base} flows fill the flow table's {} slots)",
            FlowTable::MAX_CAPACITY
        );
        return Err(Error::Args(cli::ArgError(msg)));
    }
    Ok(base * factor as usize)
}

/// Starts the signal thread; periodic reports every `-M` or `MONINTV` seconds, on at start with
/// `MONINTTMPCP_ON` (real-time base only).
fn start_signals(o: &Options, log: &RefCell<Log>) -> Option<signals::Control> {
    let interval = Duration::from_secs_f64(o.mon_interval.unwrap_or(flags::MONINTV).max(1e-3));
    let on = flags::MONINTTMPCP == 0 && flags::MONINTTMPCP_ON == 1;
    match signals::Control::start(interval, on) {
        Ok(c) => Some(c),
        Err(e) => {
            log.borrow_mut().warn(&format!("Cannot handle signals: {e}"));
            None
        }
    }
}

/// The core configuration plugins see.
fn core_config(sensor_id: u32, capacity: u64) -> CoreConfig {
    CoreConfig {
        size: size_of::<CoreConfig>() as u32,
        sensor_id,
        capacity,
        ipv6_activate: flags::IPV6_ACTIVATE,
        eth_activate: flags::ETH_ACTIVATE,
        sctp_activate: 0,
        lapd_activate: 0,
        packet_length: 3,
        tstamp_prec: 1,
        tstamp_utc: 1,
        reltime: 0,
        diff_report: flags::DIFF_REPORT,
        machine_report: flags::MACHINE_REPORT,
        plugin_report: flags::PLUGIN_REPORT,
        verbose: flags::VERBOSE,
        pri_hdrdesc: 1,
        anonym_ip: 0,
        subnet_on: 1,
        block_buf: 0,
    }
}
