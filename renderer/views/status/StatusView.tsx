import { CheckCircle2, CircleSlash } from 'lucide-react';
import { useApp } from '../../store/app-store';

/** About / status: versions, where settings live, and which TensorFlow backends this machine has. */
export function StatusView(): React.JSX.Element {
  const info = useApp((s) => s.info);
  const backends = useApp((s) => s.backends);
  const connection = useApp((s) => s.connection);
  const firstAvailable = backends?.find((b) => b.available);
  return (
    <div className="page status-view" data-testid="status-view">
      <section className="card">
        <h3>Detecta Studio {info ? <span className="muted">v{info.version}</span> : null}</h3>
        {info ? (
          <dl className="kv">
            <dt>Running as</dt>
            <dd data-testid="transport">{info.transport === 'electron' ? 'Desktop app (Electron)' : 'Browser, through the local web host'}</dd>
            <dt>Connection</dt>
            <dd>{connection}</dd>
            <dt>Platform</dt>
            <dd>
              {info.platform} {info.arch}
            </dd>
            <dt>Settings folder</dt>
            <dd>
              <code>{info.dataDir}</code>
            </dd>
            {Object.entries(info.versions).map(([k, v]) => (
              <div key={k} className="kv-row">
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p className="muted">Reading the app status…</p>
        )}
      </section>
      <section className="card">
        <h3>TensorFlow backends</h3>
        <p className="muted">
          Training uses the first backend that loads, in this order; you can force another one per run.
          {firstAvailable ? (
            <>
              {' '}
              On this machine: <strong data-testid="training-backend">{firstAvailable.label}</strong>.
            </>
          ) : null}
        </p>
        {backends ? (
          <table className="table" data-testid="backends">
            <thead>
              <tr>
                <th>Backend</th>
                <th>Available</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {backends.map((b) => (
                <tr key={b.name} data-backend={b.name} data-available={b.available}>
                  <td>{b.label}</td>
                  <td>{b.available ? <CheckCircle2 size={16} className="ok" aria-label="available" /> : <CircleSlash size={16} className="off" aria-label="not available" />}</td>
                  <td className="muted">{b.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">Probing backends…</p>
        )}
        <p className="muted small">
          GPU training needs @tensorflow/tfjs-node-gpu with CUDA 11.2 and cuDNN 8.1 on Linux or Windows x64. Detection in the app uses WebGL,
          WebGPU or WebAssembly in the window itself.
        </p>
      </section>
    </div>
  );
}
