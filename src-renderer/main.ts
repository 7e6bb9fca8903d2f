import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import './icon-masks.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

/** The mounted root component (kept for debugging from devtools). */
export const app = mount(App, { target });
