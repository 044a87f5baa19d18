/** The Apache Spark runner of the side-by-side benchmark; uses only Spark and the bench kit. */
package dev.tributary.bench.spark;
