import { createApp } from 'vue';
import App from './App.vue';
import { currentLocale, i18n, setLocale } from './i18n';
import { createAppRouter } from './router';
import './styles.css';
import { installTestHooks, setNavigate } from './test-hooks';

installTestHooks();
setLocale(currentLocale()); // page title and <html lang> in the starting language
const router = createAppRouter();
setNavigate((path) => router.push(path));
createApp(App).use(i18n).use(router).mount('#app');
