/**
 * A Spring WebFlux service built on the Tributary starter: it generates a seeded Parquet dataset
 * at start-up and streams it through a transform as an Arrow IPC stream and as NDJSON, each
 * response a governed execution in the application's runtime. Run it with {@code mvn -B -q -pl
 * samples/webflux -am -Prun -DskipTests package} (see the README's Services section).
 */
package dev.tributary.samples.webflux;
