import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { useApp } from './store/app-store';
import { inElectron } from './client';
import { restoreSession } from './store/session-restore';
import './styles.css';

if (inElectron) useApp.setState({ connection: 'open' });
restoreSession();
const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
