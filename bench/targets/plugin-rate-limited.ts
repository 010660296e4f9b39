// The bench target for our plugin with per-call rate limits on (bench/server.ts reads the
// variable): the `call` workload then measures what counting every call costs.
process.env.BENCH_RATE_LIMIT = '1'
await import('../server.js')
