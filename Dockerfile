# The gateway's image: the runnable jar built with Maven, then run on a JRE. It drives the Docker
# engine whose socket is mounted at /var/run/docker.sock (see docker-compose.yml): the sandbox
# containers it creates are siblings on that engine, so their images must exist there.
#
#   docker build -t execgate/gateway .
#   docker build -t execgate/gateway:offline --build-arg BUILD_IMAGE=execgate/debian:bookworm \
#     --build-arg RUNTIME_IMAGE=execgate/debian:bookworm .
#
# The second form uses no container registry: execgate/debian:bookworm is made by
# custom-images/offline/build-debian.sh, and Debian's maven, openjdk-17-jdk-headless and
# openjdk-17-jre-headless are installed from Debian's archive during the build (docker-compose.offline.yml).
# Build args:
#   BUILD_IMAGE      the build stage's image (default maven:3.9-eclipse-temurin-17)
#   RUNTIME_IMAGE    the final image's base (default eclipse-temurin:17-jre)
#   BUILD_CA_CERTS   PEM text of CA certificates Maven must trust to reach Maven Central (a TLS-intercepting
#                    proxy); only the build stage sees them, never the final image
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
LABEL io.execgate.build-stage=gateway
ARG BUILD_CA_CERTS=
# a plain Debian base brings no JDK or Maven: Debian's packages (the JDK's alternatives want man1,
# which slim bases leave out)
RUN if ! command -v mvn >/dev/null; then \
      mkdir -p /usr/share/man/man1 \
      && apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends maven openjdk-17-jdk-headless \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && if [ -n "$BUILD_CA_CERTS" ]; then \
      mkdir -p /tmp/build-ca && cd /tmp/build-ca \
      && printf '%s\n' "$BUILD_CA_CERTS" | awk '/-----BEGIN CERTIFICATE-----/ { n++ } n { print > ("ca-" n ".pem") }' \
      && for cert in ca-*.pem; do \
           keytool -importcert -noprompt -cacerts -storepass changeit -alias "build-$cert" -file "$cert" >/dev/null; \
         done; \
    fi
WORKDIR /src
COPY pom.xml .
# the dependencies in a layer of their own: a change of the sources does not download them again
RUN mvn -B -q dependency:go-offline
COPY src/main src/main
RUN mvn -B -q -Dmaven.test.skip=true package && cp target/execgate.jar /execgate.jar

FROM ${RUNTIME_IMAGE}
RUN if ! command -v java >/dev/null; then \
      mkdir -p /usr/share/man/man1 \
      && apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin execgate
WORKDIR /app
COPY --from=build /execgate.jar /app/execgate.jar
COPY conf/config.json /app/conf/config.json
COPY docker/entrypoint docker/healthcheck /app/bin/
# inside a container the API must listen on every interface to be published; it serves without API
# keys only when auth.allowOpen is true (EXECGATE_AUTH_ALLOW_OPEN), see docker-compose.yml
ENV EXECGATE_HTTP_HOST=0.0.0.0 \
    EXECGATE_HTTP_PORT=8080 \
    DOCKER_HOST=unix:///var/run/docker.sock
EXPOSE 8080
LABEL io.execgate.image=gateway \
      org.opencontainers.image.title="execgate" \
      org.opencontainers.image.version="" \
      org.opencontainers.image.description="A reactive execution gateway: untrusted scripts in single-use, locked-down Docker containers"
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/app/bin/healthcheck"]
# SIGTERM stops intake, cancels running executions and removes their containers
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/bin/entrypoint"]
