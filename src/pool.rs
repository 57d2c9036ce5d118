//! The crate's parallel loops, on rayon's global pool: indexed work on every core with
//! the results given back in index order, as a serial loop would. The source reads blobs
//! with it and the planner parses files again with it.

use rayon::prelude::*;

/// Indices a thread takes at least at once: few enough that a few slow files at the
/// end do not leave a core idle, enough that its state (a repository handle and read
/// buffer) is made rarely.
const CHUNK: usize = 16;

/// `work(i)` for every `i` in `0..count` on every core, in the order of `i`: for a few
/// dozen CPU-heavy items, such as files to parse again, where the threshold of
/// `Source::read_many` (made for reading thousands of files) would keep one thread.
pub(crate) fn map_in_parallel<T, W>(count: usize, work: W) -> Vec<T>
where
    T: Send,
    W: Fn(usize) -> T + Sync,
{
    (0..count).into_par_iter().map(&work).collect()
}

/// Runs `work(state, i)` for every `i` in `0..count` on `threads` threads, each with its
/// own `state` from `init` (a thread-local repository handle and read buffer), and
/// returns the kept results ordered by `i`, as a serial loop would.
///
/// On failure, the error returned is the one of the lowest failing `i`, the one a
/// serial loop would meet first: every item still runs (errors are rare), so which
/// items failed does not depend on the timing.
///
/// `threads` is the global pool's size (`rayon::current_num_threads`) in the normal
/// case; one runs on the calling thread, and another count (tests ask for 2, 3 and 8)
/// gets a pool of its own.
pub(crate) fn in_parallel<S, T, E, I, W>(
    count: usize,
    threads: usize,
    init: I,
    work: W,
) -> Result<Vec<T>, E>
where
    T: Send,
    I: Fn() -> S + Sync,
    E: Send,
    W: Fn(&mut S, usize) -> Result<Option<T>, E> + Sync,
{
    let outcomes: Vec<Result<Option<T>, E>> = if threads <= 1 {
        let mut state = init();
        (0..count).map(|index| work(&mut state, index)).collect()
    } else {
        let run = || {
            let items = (0..count).into_par_iter().with_min_len(CHUNK);
            items.map_init(&init, |state, index| work(state, index)).collect()
        };
        if threads == rayon::current_num_threads() {
            run()
        } else {
            match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
                Ok(pool) => pool.install(run),
                // No threads to be had: the global pool does the same work.
                Err(_) => run(),
            }
        }
    };
    let mut kept = Vec::new();
    for outcome in outcomes {
        if let Some(value) = outcome? {
            kept.push(value);
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_parallel_reports_the_error_a_serial_loop_meets_first() {
        // One failure in each of the first four chunks: the four threads take them at
        // once and all fail, in an order that the slow first indices leave to chance.
        let failing = [5, CHUNK + 5, 2 * CHUNK + 5, 3 * CHUNK + 5, 200];
        for _ in 0..5 {
            let outcome = in_parallel(
                300,
                4,
                || (),
                |(), index| {
                    if index < 4 * CHUNK {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    match failing.contains(&index) {
                        true => Err(format!("{index}: cannot read: bad")),
                        false => Ok(Some(index)),
                    }
                },
            );
            assert_eq!(outcome.unwrap_err(), "5: cannot read: bad");
        }
    }

    #[test]
    fn map_in_parallel_keeps_the_order_of_the_items() {
        assert_eq!(map_in_parallel(0, |i| i), Vec::<usize>::new());
        let squares = map_in_parallel(1000, |i| {
            if i % 97 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            i * i
        });
        assert_eq!(squares, (0..1000).map(|i| i * i).collect::<Vec<_>>());
    }
}
