// Each entry point's exports (runtime names, then type-only names), written out name by name: an internal
// helper that comes back into a public entry (or a public name that goes away) fails here, and so does an
// entry point added to a package's `exports` without a list. Reads the sources the dist is built from, so no
// build is needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { entryPointsOf, publicPackages, WORKSPACE } from './packed-app.ts';

/** The runtime names each public entry point exports, sorted. */
const SURFACE: Record<string, string[]> = {
  '@handset/core': [
    'DEFAULT_MAX_RETRY_JITTER_MS',
    'DEFAULT_RETRY_DELAYS_MS',
    'DEFAULT_STEADY_RETRY_DELAY_MS',
    'DEFAULT_TIMEOUTS',
    'END_CODE_DESCRIPTIONS',
    'HANGUP_REASONS',
    'HandsetError',
    'MESSAGE_TYPES',
    'PROTOCOL_LIMITS',
    'PROTOCOL_VERSION',
    'QUALITY_THRESHOLDS',
    'REJECT_REASONS',
    'RESERVED_DEVICE_IDS',
    'TRANSPORT_ERRORS',
    'TransportError',
    'callStateOf',
    'callStates',
    'callViewOf',
    'createDefaultReconnectPolicy',
    'createEnvelope',
    'createPhone',
    'decodeEnvelope',
    'defaultMediaState',
    'encodeEnvelope',
    'isProtocolError',
    'isTransportError',
    'isValidId',
    'jsonLinesLogger',
    'meanOpinionScore',
    'namespacedLogger',
    'qualityOf',
    'silentLogger',
    'unavailableReplyTo',
    'validateEnvelope',
  ],
  '@handset/core/machine': [
    'DEFAULT_TIMEOUTS',
    'MEDIA_PLACES',
    'RemoteDescriptionError',
    'callMachine',
    'localMediaOf',
    'remainingLifetime',
    'routeEnvelope',
  ],
  '@handset/core/testing': [
    'FakeDataChannel',
    'FakeMediaStream',
    'FakePeerConnection',
    'FakeSender',
    'FakeTrack',
    'FakeTransceiver',
    'createFakeMedia',
    'createFakePeerConnections',
    'createMemoryNetwork',
    'ringingFrom',
    'waitOpen',
  ],
  '@handset/core/conformance': ['describeRefusedCredentials', 'describeSignalingTransport'],
  '@handset/core/link': [
    'DEFAULT_CONNECT_TIMEOUT_MS',
    'createLink',
    'linkMachine',
    'resolveToken',
    'statusOfLink',
    'tokenSourceProblem',
  ],
  '@handset/core/server': ['DEFAULT_ALLOWED_ORIGINS', 'DEV_ALLOWED_ORIGINS', 'createOriginPolicy'],
  '@handset/token': [
    'DEFAULT_TOKEN_POLICY',
    'TOKEN_ERROR_REASONS',
    'TokenError',
    'checkTokenPolicy',
    'createToken',
    'turnCredentials',
    'verifyToken',
  ],
  '@handset/adapter-ws': [
    'CLOSE_CODES',
    'DEFAULT_RETRY_DELAYS_MS',
    'SignalingError',
    'TransportError',
    'createDefaultReconnectPolicy',
    'createWsTransport',
  ],
  '@handset/adapter-ws/server': [
    'CLOSE_CODES',
    'DEFAULT_LIMITS',
    'DEFAULT_TURN_TTL_SECONDS',
    'DEV_ALLOWED_ORIGINS',
    'RESERVED_DEVICE_IDS',
    'SignalingError',
    'TokenError',
    'createToken',
    'startSignalServer',
    'turnCredentials',
    'verifyToken',
  ],
  '@handset/adapter-mqtt': [
    'DEFAULT_TOPIC_PREFIX',
    'ICE_SERVER_LIMITS',
    'PRESENCE_OFFLINE',
    'PRESENCE_ONLINE',
    'TransportError',
    'clientIdOf',
    'createDefaultReconnectPolicy',
    'createMqttTransport',
    'createTopicLayout',
    'isClientIdOf',
  ],
  '@handset/adapter-mqtt/broker': [
    'BROKER_REFUSAL_CODES',
    'BrokerRefusal',
    'DEFAULT_BROKER_LIMITS',
    'DEFAULT_BROKER_TURN_TTL_SECONDS',
    'TokenError',
    'createAccessControl',
    'createToken',
    'startBroker',
    'turnCredentials',
    'verifyToken',
  ],
  '@handset/node': [
    'MediaFileError',
    'NODE_DEVICES',
    'PLACEHOLDER_DEVICES',
    'RTP_INTERVAL_MS',
    'RecordingError',
    'RemoteMediaTimeoutError',
    'WeriftPeerConnection',
    'countRtp',
    'createEnumerateDevices',
    'createNodePorts',
    'createWeriftGetUserMedia',
    'createWeriftPeerConnectionFactory',
    'loadMediaFile',
    'recordRemoteStream',
    'silence',
    'testPattern',
    'tone',
    'videoPlaceholder',
    'waitForRemoteMedia',
  ],
  '@handset/react': ['useCall', 'usePhone', 'usePhoneEvents'],
  '@handset/inspector': [
    'INSPECTOR_ERROR_CODES',
    'InspectorError',
    'STATECHART_TAG',
    'createStatechartInspector',
    'defineStatechartElement',
  ],
};

/** The type-only names of each entry point (interfaces, type aliases, type-only re-exports), sorted. */
const TYPES: Record<string, string> = {
  '@handset/core': `
    BoundLogger CallDirection CallMetadata CallOptions CallState CallStats CallTimeouts CallView Clock
    ConnectionPath DataChannelEventMap DataChannelInit DataChannelPort DecodeResult
    DefaultReconnectPolicyOptions DescriptionPort DeviceInfo EndCode EndReason EndedBy EnumerateDevices
    Envelope EnvelopeDraft EnvelopeOf GetDisplayMedia GetUserMedia HandsetErrorCode HangupReason
    HoldState IceCandidateErrorEventPort IceCandidateEventPort IceCandidateInit IceConnectionState
    IceServerConfig IceTransportPolicy JsonValue KindStats LogLevel Logger MediaConstraint MediaKind
    MediaKinds MediaRequest MediaState MediaStreamPort MediaTrackPort MessageType PeerConnectionConfig
    PeerConnectionEventMap PeerConnectionFactory PeerConnectionPort Phone PhoneEvent PhoneOptions
    ProtocolErrorCode QualityInputs QualityLevel ReconnectContext ReconnectPolicy RejectReason
    RtpSenderPort RtpTransceiverPort SdpType SessionDescription SignalingTransport StatsReportPort
    TokenSource TrackEventPort TransceiverDirection TransceiverInit TransportErrorOptions
    TransportErrorReason TransportStatus
  `,
  '@handset/core/machine': `
    CallAddress CallContext CallDirection CallEmitted CallEvent CallEventOf CallEventType CallInput
    CallPorts CallSettings CallTimeouts DeviceKind LinkCondition LocalTrackKind LocalTracks
    PeerConnectionSignal PortName RemoteEvent RenegotiationOutput UserEvent
  `,
  '@handset/core/testing': `
    FakeMedia FakePeerConnectionOptions FakePeerConnections MemoryNetwork MemoryTransport
  `,
  '@handset/core/conformance': 'RefusalHarness TransportHarness',
  '@handset/core/link': `
    ConnectionCommand Link LinkConnection LinkContext LinkEmitted LinkEvent LinkHeartbeat LinkInput
    LinkOptions LinkWire ResolvedToken TokenSource WireReport
  `,
  '@handset/core/server': 'OriginPolicy',
  '@handset/token': 'TokenErrorReason TokenPolicy TokenSecret TokenVerification TurnCredentialOptions',
  '@handset/adapter-ws': `
    CloseCode DefaultReconnectPolicyOptions ReconnectContext ReconnectPolicy SignalingErrorCode
    TokenSource TransportErrorReason WebSocketConstructor WebSocketLike WsTransport WsTransportOptions
  `,
  '@handset/adapter-ws/server': `
    CloseCode ClusterFrameErrorCode HealthReport RedisClusterOptions SignalServer SignalServerLimits
    SignalServerOptions SignalingErrorCode TokenErrorReason TokenPolicy TokenSecret TokenVerification
    TurnRelayOptions
  `,
  '@handset/adapter-mqtt': `
    IceServersSource LogLevel Logger MqttTransport MqttTransportOptions MqttWebSocketConstructor
    MqttWebSocketLike ParsedTopic ReconnectContext ReconnectPolicy TokenSource TopicLayout
    TransportErrorReason
  `,
  '@handset/adapter-mqtt/broker': `
    AccessControl AccessControlHooks AccessControlOptions AdmissionLimits BrokerLimits BrokerOptions
    BrokerRefusalCode BrokerTurnOptions HandsetBroker TokenErrorReason TokenPolicy TokenSecret
    TokenVerification TurnCredentialOptions
  `,
  '@handset/node': `
    FrameSequence MediaDenial MediaFile MediaFileErrorCode MediaKind MediaSource NodeMediaDevice
    NodePorts NodePortsOptions RecordingErrorCode RemoteMediaReport RemoteRecording
    RemoteRecordingOptions RtpCounter ToneOptions WaitForRemoteMediaOptions WeriftGetUserMedia
    WeriftGetUserMediaOptions WeriftLocalTrack WeriftPeerConnectionFactory
    WeriftPeerConnectionFactoryOptions WeriftSender WeriftTransceiver
  `,
  '@handset/react': '',
  '@handset/inspector': 'ElkLayouter HandsetStatechartElement InspectorErrorCode StatechartChange',
};

/** Every public entry point with the source file its dist entry is built from. */
const entries = publicPackages().flatMap((pkg) =>
  Object.entries(pkg.manifest.exports)
    .filter(([key]) => key !== './package.json')
    .map(([key, target]) => {
      const built = typeof target === 'string' ? target : (target.import ?? target.default ?? '');
      const source = join(pkg.dir, built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
      return { entry: entryPointsOf({ ...pkg.manifest, exports: { [key]: target } })[0]!, source };
    }),
);

describe('public surface', () => {
  it('has a written-out list for every entry point in the exports maps, and no other', () => {
    expect(entries.map(({ entry }) => entry).sort()).toEqual(Object.keys(SURFACE).sort());
  });

  it.each(entries)('$entry exports exactly its listed names', async ({ entry, source }) => {
    const module = (await import(pathToFileURL(source).href)) as Record<string, unknown>;
    expect(Object.keys(module).sort()).toEqual(SURFACE[entry]);
  });

  it('exports exactly its listed types from each entry point (TypeScript over tsconfig.docs.json)', () => {
    const config = ts.parseJsonConfigFileContent(
      JSON.parse(readFileSync(join(WORKSPACE, 'tsconfig.docs.json'), 'utf8')),
      ts.sys,
      WORKSPACE,
    );
    const sources = Object.fromEntries(
      Object.entries(config.options.paths ?? {}).map(([entry, [file]]) => [entry, join(WORKSPACE, file!)]),
    );
    expect(Object.keys(sources).sort()).toEqual(Object.keys(SURFACE).sort());
    const program = ts.createProgram(Object.values(sources), { ...config.options, noEmit: true });
    const checker = program.getTypeChecker();
    for (const [entry, file] of Object.entries(sources)) {
      const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
      const runtime = new Set(SURFACE[entry]);
      const typeOnly = checker
        .getExportsOfModule(module)
        .map((symbol) => symbol.name)
        .filter((name) => !runtime.has(name))
        .sort();
      expect(typeOnly, entry).toEqual(TYPES[entry]!.split(/\s+/).filter(Boolean));
    }
  });
});

/** Browser stubs of the Node-only entry points (each manifest's `browser` condition), from their sources. */
const BROWSER_STUBS = entries.flatMap(({ entry, source }) => {
  const pkg = publicPackages().find((candidate) => entry.startsWith(candidate.manifest.name))!;
  const key = entry === pkg.manifest.name ? '.' : `./${entry.slice(pkg.manifest.name.length + 1)}`;
  const target = pkg.manifest.exports[key];
  const browser = typeof target === 'string' ? undefined : target?.browser;
  if (!browser) return [];
  const stub = join(pkg.dir, browser.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
  return [{ entry, source, stub }];
});

describe('browser stubs', () => {
  it('exist for the Node-only entry points', () => {
    expect(BROWSER_STUBS.map(({ entry }) => entry).sort()).toEqual([
      '@handset/adapter-mqtt/broker',
      '@handset/adapter-ws/server',
      '@handset/node',
    ]);
  });

  it.each(BROWSER_STUBS)(
    '$entry: each stub is a public name, and says it runs in Node only',
    async ({ entry, stub }) => {
      const stubs = (await import(pathToFileURL(stub).href)) as Record<string, () => unknown>;
      expect(Object.keys(stubs).length).toBeGreaterThan(0);
      for (const [name, fn] of Object.entries(stubs)) {
        expect(SURFACE[entry], name).toContain(name);
        expect(fn, name).toThrow(/Node only/);
      }
    },
  );
});
