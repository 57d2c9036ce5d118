/// mimalloc serves every allocation of the process, tree-sitter's C code included
/// (`override`): parsing allocates a node at a time, and glibc's malloc and free were
/// about a tenth of a `diff`'s CPU time. On the benchmark (bench/README.md) it takes
/// 7-8% off the CPU time of `diff`. `no_thp`: without it mimalloc asks for transparent
/// huge pages, and peak memory rose from 127 MB to 147 MB for no speed.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    capsule_migrate::cli::main()
}
