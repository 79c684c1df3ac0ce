// The softphone's audio settings, kept per browser in localStorage.

const STORAGE_KEY = 'songda.phone.settings';

export const DEFAULT_PHONE_SETTINGS = Object.freeze({
  inputDeviceId: '',
  outputDeviceId: '',
  echoCancellation: true,
  autoGainControl: true,
  noiseSuppression: true,
  autoAnswer: true,
});

export function loadPhoneSettings() {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) || '{}');
    return { ...DEFAULT_PHONE_SETTINGS, ...stored };
  } catch {
    return { ...DEFAULT_PHONE_SETTINGS };
  }
}

export function savePhoneSettings(settings) {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
}

/** getUserMedia constraints for the chosen microphone and audio processing. */
export function microphoneConstraints(settings) {
  const audio = {
    echoCancellation: settings.echoCancellation,
    autoGainControl: settings.autoGainControl,
    noiseSuppression: settings.noiseSuppression,
  };
  if (settings.inputDeviceId) audio.deviceId = { exact: settings.inputDeviceId };
  return { audio, video: false };
}

/** Microphones and speakers known to the browser (labels appear once the microphone was allowed). */
export async function listAudioDevices() {
  if (!navigator.mediaDevices?.enumerateDevices) return { inputs: [], outputs: [] };
  const devices = await navigator.mediaDevices.enumerateDevices();
  return {
    inputs: devices.filter((device) => device.kind === 'audioinput'),
    outputs: devices.filter((device) => device.kind === 'audiooutput'),
  };
}

export function canChooseOutput() {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}
