# syntax=docker/dockerfile:1
#
# briefbot in a container: a static binary (pure Go, no cgo: SQLite is modernc.org/sqlite) on a
# distroless base, running as an unprivileged user.
#
#   docker build -t briefbot --build-arg VERSION=$(git describe --tags --always) .
#   docker run -d --name briefbot -p 8080:8080 \
#     -v briefbot-data:/var/lib/briefbot \
#     -v $PWD/briefbot.yaml:/etc/briefbot/briefbot.yaml:ro \
#     -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN briefbot
#
# In the config file, listen on every interface (http.listen: ":8080") and keep the SQLite file
# on the volume (store: /var/lib/briefbot/briefbot.db). With no config file at all the
# container runs the demo: docker run --rm briefbot demo
#
# After editing the mounted config file, `docker kill -s HUP briefbot` makes briefbot read it
# again: topics, channels and log.level change at once; the log names each other section that
# changed and needs a restart (docker restart briefbot).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=""
# timetzdata embeds the time zone database, so that schedules work whatever the base image holds.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -tags timetzdata \
      -ldflags "-s -w -X main.buildVersion=${VERSION}" \
      -o /out/briefbot ./cmd/briefbot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/briefbot /usr/local/bin/briefbot
# The state directory belongs to the nonroot user (65532), and so does a named volume made from it.
COPY --from=build --chown=65532:65532 /out/data /var/lib/briefbot
WORKDIR /var/lib/briefbot
VOLUME ["/var/lib/briefbot"]
USER 65532:65532
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["briefbot"]
CMD ["run", "--config", "/etc/briefbot/briefbot.yaml"]
