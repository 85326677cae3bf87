import { useEffect } from 'react';
import { useApp } from './store/app-store';
import { api, onConnectionState } from './client';
import { Sidebar } from './components/Sidebar';
import { TopBar } from './components/TopBar';
import { Notices } from './components/Notices';
import { ProjectPicker } from './views/project/ProjectPicker';
import { StatusView } from './views/status/StatusView';
import { LabelView } from './views/label/LabelView';
import { TrainView } from './views/train/TrainView';
import { DetectView } from './views/detect/DetectView';

export function App(): React.JSX.Element {
  const { view, project, loadInfo, setConnection } = useApp();
  useEffect(() => onConnectionState(setConnection), [setConnection]);
  useEffect(() => { void loadInfo(); }, [loadInfo]);
  // The project header and counts follow every change, whichever view or source made it
  // (webcam "Add to project", pre-labeling, class edits, files changed on disk).
  useEffect(() => api.on('dataset.changed', (e) => {
    const p = useApp.getState().project;
    if (p && p.root === e.project) useApp.setState({ project: e.summary });
  }), []);

  let content: React.JSX.Element;
  if (view === 'status') content = <StatusView />;
  else if (view === 'detect') content = <DetectView />;
  else if (!project) content = <ProjectPicker />;
  else if (view === 'train') content = <TrainView project={project} />;
  else content = <LabelView project={project} />;

  return (
    <div className="app">
      <Sidebar />
      <main className="main">
        <TopBar />
        <div className="content">{content}</div>
        <Notices />
      </main>
    </div>
  );
}
