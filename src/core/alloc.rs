//! Memory and fatal errors, as libev routes them: every allocation of the library
//! goes through the allocator set with `ev_set_allocator` (realloc semantics,
//! size 0 frees), and failing system calls go to the `ev_set_syserr_cb` callback,
//! or are printed before aborting.

use crate::abi::{ev__allocator_cb, ev__syserr_cb};
use libc::{c_char, c_long, c_void};
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

static ALLOCATOR: AtomicUsize = AtomicUsize::new(0);
static SYSERR_CB: AtomicUsize = AtomicUsize::new(0);

/// malloc's alignment guarantee on x86_64; larger alignments bypass the user's
/// realloc-style allocator, which cannot honour them.
const MALLOC_ALIGN: usize = 16;

pub fn set_allocator(cb: ev__allocator_cb) {
    ALLOCATOR.store(cb.map_or(0, |f| f as usize), Ordering::Release);
}

pub fn set_syserr_cb(cb: ev__syserr_cb) {
    SYSERR_CB.store(cb.map_or(0, |f| f as usize), Ordering::Release);
}

fn user_allocator() -> ev__allocator_cb {
    let p = ALLOCATOR.load(Ordering::Acquire);
    // SAFETY: only ever stored from a valid `ev__allocator_cb` function pointer.
    (p != 0).then(|| unsafe { std::mem::transmute::<usize, unsafe extern "C" fn(*mut c_void, c_long) -> *mut c_void>(p) })
}

/// Print `msg` and abort: libev's answer to misuse it can detect.
pub fn fatal(msg: &str) -> ! {
    eprintln!("{msg}");
    std::process::abort();
}

/// A system call failed: tell the user's callback, or print it with the errno text
/// and abort, as libev does.
pub fn syserr(msg: &'static str) {
    let p = SYSERR_CB.load(Ordering::Acquire);
    let cmsg = std::ffi::CString::new(msg).unwrap_or_default();
    if p != 0 {
        // SAFETY: only ever stored from a valid `ev__syserr_cb` function pointer.
        let cb: unsafe extern "C" fn(*const c_char) = unsafe { std::mem::transmute(p) };
        // SAFETY: the callback gets a valid NUL-terminated string.
        unsafe { cb(cmsg.as_ptr()) };
    } else {
        // SAFETY: valid C string.
        unsafe { libc::perror(cmsg.as_ptr()) };
        std::process::abort();
    }
}

fn out_of_memory(size: usize) -> ! {
    // Formatted into a stack buffer: allocating here would recurse.
    use std::io::Write;
    let mut buf = [0u8; 80];
    let mut cursor = &mut buf[..];
    let _ = write!(cursor, "(libev) cannot allocate {size} bytes, aborting.\n");
    let n = 80 - cursor.len();
    // SAFETY: writing our own buffer to stderr.
    unsafe { libc::write(2, buf.as_ptr() as *const c_void, n) };
    std::process::abort();
}

/// The global allocator of the library: the user's allocator when one is set,
/// else the C library's.
pub struct EvAllocator;

unsafe impl GlobalAlloc for EvAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = if layout.align() > MALLOC_ALIGN {
            let mut p = std::ptr::null_mut();
            // SAFETY: valid out pointer, alignment is a power of two >= pointer size.
            if unsafe { libc::posix_memalign(&mut p, layout.align(), layout.size()) } != 0 {
                p = std::ptr::null_mut();
            }
            p
        } else if let Some(cb) = user_allocator() {
            // SAFETY: realloc semantics: null pointer allocates.
            unsafe { cb(std::ptr::null_mut(), layout.size() as c_long) }
        } else {
            // SAFETY: plain malloc.
            unsafe { libc::malloc(layout.size()) }
        };
        if p.is_null() && layout.size() != 0 {
            out_of_memory(layout.size());
        }
        p as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() <= MALLOC_ALIGN {
            if let Some(cb) = user_allocator() {
                // SAFETY: realloc semantics: size 0 frees.
                unsafe { cb(ptr as *mut c_void, 0) };
                return;
            }
        }
        // SAFETY: allocated by malloc/posix_memalign above.
        unsafe { libc::free(ptr as *mut c_void) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() > MALLOC_ALIGN {
            // SAFETY: forwarding to our own alloc/dealloc with valid layouts.
            unsafe {
                let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
                return new;
            }
        }
        let p = if let Some(cb) = user_allocator() {
            // SAFETY: realloc semantics.
            unsafe { cb(ptr as *mut c_void, new_size as c_long) }
        } else {
            // SAFETY: ptr came from malloc.
            unsafe { libc::realloc(ptr as *mut c_void, new_size) }
        };
        if p.is_null() && new_size != 0 {
            out_of_memory(new_size);
        }
        p as *mut u8
    }
}
