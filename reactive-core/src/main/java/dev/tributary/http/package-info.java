/**
 * Datasets over HTTP with Reactor Netty: {@link dev.tributary.http.ArrowHttp} serves a dataset as
 * an Arrow IPC stream or NDJSON from a Reactor Netty route (or gives the bytes to a WebFlux
 * handler), HTTP flow control acting as the pipeline's backpressure. The reading side is {@link
 * dev.tributary.Tributary#readArrowStream(String)}. Depends on the Dataset API and connectors'
 * encoders only.
 */
package dev.tributary.http;
