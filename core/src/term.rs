//! The terminal that stderr and stdout may share: the live progress line drawn on stderr
//! ([`draw`]) and every other write there, which erases the line first so that no message is
//! printed on top of it or after it.
//!
//! One lock orders the progress thread's redraws and the main thread's writes. Only writes that
//! reach a terminal take it: a line of the log or an error, never anything per packet.

use std::io::{self, Write};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Moves to the start of the line and clears it.
const ERASE: &[u8] = b"\r\x1b[K";

/// What is on the screen.
struct Screen {
    /// The progress line drawn (the cursor is at its end), empty when none is.
    drawn: String,
    /// The last byte other output wrote ended a line: a progress line drawn now overwrites
    /// nothing. After a partial line (the `.` of a `-D` wait) the line is not drawn.
    at_line_start: bool,
}

static SCREEN: Mutex<Screen> = Mutex::new(Screen { drawn: String::new(), at_line_start: true });

/// The screen, also after a thread panicked while holding it (its state stays consistent).
fn screen() -> MutexGuard<'static, Screen> {
    SCREEN.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Screen {
    fn erase(&mut self) {
        if !self.drawn.is_empty() {
            let mut e = io::stderr().lock();
            let _ = e.write_all(ERASE);
            let _ = e.flush();
            self.drawn.clear();
        }
    }

    /// Writes `buf` to `w` with the line erased first and notes where the cursor is now.
    fn write_all(&mut self, w: &mut dyn Write, buf: &[u8]) -> io::Result<()> {
        self.erase();
        let r = w.write_all(buf).and_then(|()| w.flush());
        if let Some(&last) = buf.last() {
            self.at_line_start = last == b'\n';
        }
        r
    }
}

/// Draws `line` (a single line that fits the terminal) over the previous one, unless it is
/// on the screen already or other output left a partial line it would overwrite.
pub fn draw(line: &str) {
    let mut s = screen();
    if line.is_empty() || !s.at_line_start || s.drawn == line {
        return;
    }
    let mut e = io::stderr().lock();
    let _ = e.write_all(b"\r").and_then(|()| e.write_all(line.as_bytes())).and_then(|()| e.write_all(b"\x1b[K"));
    let _ = e.flush();
    line.clone_into(&mut s.drawn);
}

/// Erases the progress line, if drawn.
pub fn erase() {
    screen().erase();
}

/// Writes `buf` to stderr, the progress line erased first.
pub fn write_stderr(buf: &[u8]) {
    let _ = screen().write_all(&mut io::stderr().lock(), buf);
}

/// Standard output on a terminal: every write erases the progress line first, and reaches the
/// screen before the line may be drawn again. Put a [`io::LineWriter`] in front of it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        screen().write_all(&mut io::stdout().lock(), buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stdout().flush()
    }
}
