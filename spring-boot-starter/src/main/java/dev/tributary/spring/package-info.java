/**
 * Spring Boot 4 auto-configuration for Tributary: {@link
 * dev.tributary.spring.TributaryAutoConfiguration} makes the runtime a bean on Spring-managed
 * Reactor schedulers, binds {@code tributary.*} properties ({@link
 * dev.tributary.spring.TributaryProperties}) into the {@code DataContext} bean, registers the
 * Micrometer binder, runs a WebFlux request's datasets in that runtime, and closes the runtime
 * after the web server's graceful shutdown. Depends on reactive-core, the Micrometer module and
 * spring-boot-autoconfigure (spring-webflux optional).
 */
package dev.tributary.spring;
